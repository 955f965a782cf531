"""What the park achieved: the flows of a period (``flows``), KPIs (``kpis``), enterprise ratings and a
park's rating policy (``ratings``, ``rating_policy``), the report document (``document``) and its
renderings (``render``), and the park overview."""
