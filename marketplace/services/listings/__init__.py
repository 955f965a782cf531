"""Offers (供给) and needs (需求): posting, searching, editing and closing listings (``listings``), and
the ``wastematch.v1`` interchange import and export in JSON and XLSX (``interchange``)."""
