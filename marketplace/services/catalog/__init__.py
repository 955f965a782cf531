"""The reference catalogue in the database: HW categories, codes and exemptions, the EU List of
Waste; loading the built-in catalogue and importing the published lists (``reference``)."""
