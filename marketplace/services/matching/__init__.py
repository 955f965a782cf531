"""Matching as the marketplace lives it: the engine's input read from the database
(``engine_input``), park-wide runs (``runs``), one-click recommendations (``recommendations``),
the proposal → acceptance → approval workflow (``workflow``), the model learnt from coordinators'
decisions (``learning``), point-to-point approvals and the notifications the parties receive."""
