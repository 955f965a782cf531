"""Who is who and who sees what: users, sign-in and tokens (``users``: the ``Principal``), parks,
enterprises and their licences, the confidentiality rules (``disclosure``) and the audit trail."""
