"""The DPO's register of processing activities (GDPR Art. 30 record, issue 13).

The pure part: ``model`` (the ``Register`` value and its ``gatekeeper.register/v1``
contract), ``build`` (rows from the estate's facts, the policy and the report),
``by_recipient`` (the view by recipient) and ``changes`` (what changed since an earlier
register). The renderings (CSV, XLSX, JSON, HTML) are ``gatekeeper.register.formats``; the
use case is ``gatekeeper.usecases.register``.
"""
