"""What happens after approval (一单全程跟踪): shipments and their containers (``transfers``), the
electronic manifests and labels (``manifests``), chemical flow ledgers and their review (``ledger``,
``ledger_review``), alerts on transfers and licences (``alerts``), the trace of a code (``trace``), the park a
park-wide action covers (``scope``), weighbridges and GPS trackers (``devices``), annual hazardous waste
declarations reconciled with the manifests (``hw_declarations``, ``hw_reconciliation``) and pooled collection
rounds for small producers (``pooled_collection``)."""
