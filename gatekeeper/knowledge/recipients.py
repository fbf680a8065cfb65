"""Who receives an app's data on Heroku: the processor and the sub-processors the register
names (issue 13, GDPR Art. 28 and 30).

Salesforce, Inc. is the processor of every Heroku app under the Salesforce/Heroku DPA.
Heroku runs every region, Common Runtime and Private Spaces alike, on Amazon Web Services
(``GET /regions`` names the AWS region behind each one), so AWS is a sub-processor of every
app; Managed Inference serves its models on Amazon Bedrock (``inference.py``). Heroku
Connect and AppLink copy data into a Salesforce org, which Salesforce processes as well.
Third-party add-on providers are not sub-processors of Salesforce: they contract with the
customer directly (Heroku Elements Terms section 1.2), so the register lists each as a
processor of its own.

Update here when Salesforce changes its list of Heroku sub-processors, with the source.
"""

from __future__ import annotations

from gatekeeper.knowledge.sources import (
    HEROKU_CONNECT,
    HEROKU_ELEMENTS_TERMS,
    HEROKU_SUBPROCESSORS,
    SALESFORCE_DPA,
    Source,
)

HEROKU_PROCESSOR = "Salesforce, Inc. (Heroku)"
HEROKU_PROCESSOR_SOURCE: Source = SALESFORCE_DPA

# The infrastructure every Heroku region runs on.
PLATFORM_SUBPROCESSOR = "Amazon Web Services, Inc."
PLATFORM_SUBPROCESSOR_SOURCE: Source = HEROKU_SUBPROCESSORS

# Where Heroku Connect and AppLink send the data: a Salesforce org gatekeeper does not see.
SALESFORCE_ORG = "Salesforce, Inc. (Salesforce org)"
SALESFORCE_ORG_SOURCE: Source = HEROKU_CONNECT

# Third-party add-on providers contract with the customer, not with Salesforce.
THIRD_PARTY_SOURCE: Source = HEROKU_ELEMENTS_TERMS
