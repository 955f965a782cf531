"""Chemical governance (新污染物治理, 一网数据尽统): the annual chemical survey and its review (``surveys``), the
key-enterprise roster with its obligations and violations (``roster``), EECM assessments (``eecm``) and the
enterprises' annual environmental disclosures (``disclosures``). Reads the ledgers and raises alerts of the
traceability package; the reports package reads it (rating caps and bonus, targets)."""
