"""The demonstration park: its data (``demo_park.json``, written by ``build_demo_park.py``), the demo
accounts (``accounts``), four months of history played through the services (``history``), and the
whole park in one call (``park``) for ``wastematch demo``, the end-to-end tests and the benchmarks."""
