"""ISO 3166-1 alpha-2 country codes and the country groups a policy can name.

Update here when the law changes: the EEA membership, or an EU adequacy decision that is
adopted, renewed or struck down. Every group carries its source. ``country_allowed`` is
what a class's ``countries`` list means; ``describe_countries`` says it in words.
"""

from __future__ import annotations

from gatekeeper.knowledge.sources import (
    ADEQUACY_DECISIONS,
    BRAZIL_ADEQUACY,
    DPF_ADEQUACY,
    EEA_AGREEMENT,
    ISO_3166,
    Source,
)

# Code and usual English name, one a line (source: ISO 3166-1 as published by the ISO 3166
# Maintenance Agency; the names follow the IANA time zone database's iso3166.tab).
_ISO_3166_TABLE = """\
AD Andorra
AE United Arab Emirates
AF Afghanistan
AG Antigua & Barbuda
AI Anguilla
AL Albania
AM Armenia
AO Angola
AQ Antarctica
AR Argentina
AS Samoa (American)
AT Austria
AU Australia
AW Aruba
AX Åland Islands
AZ Azerbaijan
BA Bosnia & Herzegovina
BB Barbados
BD Bangladesh
BE Belgium
BF Burkina Faso
BG Bulgaria
BH Bahrain
BI Burundi
BJ Benin
BL St Barthelemy
BM Bermuda
BN Brunei
BO Bolivia
BQ Caribbean NL
BR Brazil
BS Bahamas
BT Bhutan
BV Bouvet Island
BW Botswana
BY Belarus
BZ Belize
CA Canada
CC Cocos (Keeling) Islands
CD Congo (Dem. Rep.)
CF Central African Rep.
CG Congo (Rep.)
CH Switzerland
CI Côte d'Ivoire
CK Cook Islands
CL Chile
CM Cameroon
CN China
CO Colombia
CR Costa Rica
CU Cuba
CV Cape Verde
CW Curaçao
CX Christmas Island
CY Cyprus
CZ Czechia
DE Germany
DJ Djibouti
DK Denmark
DM Dominica
DO Dominican Republic
DZ Algeria
EC Ecuador
EE Estonia
EG Egypt
EH Western Sahara
ER Eritrea
ES Spain
ET Ethiopia
FI Finland
FJ Fiji
FK Falkland Islands
FM Micronesia
FO Faroe Islands
FR France
GA Gabon
GB United Kingdom
GD Grenada
GE Georgia
GF French Guiana
GG Guernsey
GH Ghana
GI Gibraltar
GL Greenland
GM Gambia
GN Guinea
GP Guadeloupe
GQ Equatorial Guinea
GR Greece
GS South Georgia & the South Sandwich Islands
GT Guatemala
GU Guam
GW Guinea-Bissau
GY Guyana
HK Hong Kong
HM Heard Island & McDonald Islands
HN Honduras
HR Croatia
HT Haiti
HU Hungary
ID Indonesia
IE Ireland
IL Israel
IM Isle of Man
IN India
IO British Indian Ocean Territory
IQ Iraq
IR Iran
IS Iceland
IT Italy
JE Jersey
JM Jamaica
JO Jordan
JP Japan
KE Kenya
KG Kyrgyzstan
KH Cambodia
KI Kiribati
KM Comoros
KN St Kitts & Nevis
KP North Korea
KR South Korea
KW Kuwait
KY Cayman Islands
KZ Kazakhstan
LA Laos
LB Lebanon
LC St Lucia
LI Liechtenstein
LK Sri Lanka
LR Liberia
LS Lesotho
LT Lithuania
LU Luxembourg
LV Latvia
LY Libya
MA Morocco
MC Monaco
MD Moldova
ME Montenegro
MF St Martin (French)
MG Madagascar
MH Marshall Islands
MK North Macedonia
ML Mali
MM Myanmar (Burma)
MN Mongolia
MO Macau
MP Northern Mariana Islands
MQ Martinique
MR Mauritania
MS Montserrat
MT Malta
MU Mauritius
MV Maldives
MW Malawi
MX Mexico
MY Malaysia
MZ Mozambique
NA Namibia
NC New Caledonia
NE Niger
NF Norfolk Island
NG Nigeria
NI Nicaragua
NL Netherlands
NO Norway
NP Nepal
NR Nauru
NU Niue
NZ New Zealand
OM Oman
PA Panama
PE Peru
PF French Polynesia
PG Papua New Guinea
PH Philippines
PK Pakistan
PL Poland
PM St Pierre & Miquelon
PN Pitcairn
PR Puerto Rico
PS Palestine
PT Portugal
PW Palau
PY Paraguay
QA Qatar
RE Réunion
RO Romania
RS Serbia
RU Russia
RW Rwanda
SA Saudi Arabia
SB Solomon Islands
SC Seychelles
SD Sudan
SE Sweden
SG Singapore
SH St Helena
SI Slovenia
SJ Svalbard & Jan Mayen
SK Slovakia
SL Sierra Leone
SM San Marino
SN Senegal
SO Somalia
SR Suriname
SS South Sudan
ST Sao Tome & Principe
SV El Salvador
SX St Maarten (Dutch)
SY Syria
SZ Eswatini (Swaziland)
TC Turks & Caicos Is
TD Chad
TF French S. Terr.
TG Togo
TH Thailand
TJ Tajikistan
TK Tokelau
TL East Timor
TM Turkmenistan
TN Tunisia
TO Tonga
TR Türkiye
TT Trinidad & Tobago
TV Tuvalu
TW Taiwan
TZ Tanzania
UA Ukraine
UG Uganda
UM US minor outlying islands
US United States
UY Uruguay
UZ Uzbekistan
VA Vatican City
VC St Vincent
VE Venezuela
VG Virgin Islands (UK)
VI Virgin Islands (US)
VN Vietnam
VU Vanuatu
WF Wallis & Futuna
WS Samoa (western)
YE Yemen
YT Mayotte
ZA South Africa
ZM Zambia
ZW Zimbabwe
"""

COUNTRY_NAMES: dict[str, str] = dict(
    line.split(" ", 1) for line in _ISO_3166_TABLE.splitlines() if line.strip()
)
COUNTRY_NAMES_SOURCE: Source = ISO_3166

EU_MEMBERS: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# The European Economic Area: the 27 EU members plus Iceland, Liechtenstein and Norway.
EEA: frozenset[str] = EU_MEMBERS | {"IS", "LI", "NO"}
EEA_SOURCE: Source = EEA_AGREEMENT

# Countries with an EU adequacy decision under GDPR Art. 45 (or Directive 95/46/EC decisions
# kept in force by Art. 45(9)). Canada's decision covers commercial organisations under
# PIPEDA only; the United Kingdom's was renewed in 2025 and runs to 2031-12-27; Brazil's is
# Implementing Decision (EU) 2026/179 of 2026-01-26 (BRAZIL_ADEQUACY_SOURCE).
# The United States is NOT in this set: its adequacy decision (the EU-US Data Privacy
# Framework, 2023-07-10) covers only certified organisations, which is a property of the
# recipient (an agreement with mechanism = "dpf"), never of a region.
ADEQUATE: frozenset[str] = frozenset(
    ["AD", "AR", "BR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "UY"]
)
ADEQUATE_SOURCE: Source = ADEQUACY_DECISIONS
BRAZIL_ADEQUACY_SOURCE: Source = BRAZIL_ADEQUACY

# The country whose adequacy depends on the recipient's certification (see above).
DPF_COUNTRY = "US"
DPF_SOURCE: Source = DPF_ADEQUACY

# Group names a policy may use in ``countries = [...]``, next to ISO codes.
GROUPS: dict[str, frozenset[str]] = {"EEA": EEA, "adequate": ADEQUATE}

# Frequent mistakes and what was meant, for error messages.
COMMON_MISTAKES: dict[str, str] = {
    "UK": "GB",  # the ISO code of the United Kingdom is GB
    "EL": "GR",  # the EU's protocol code for Greece; ISO 3166 uses GR
    "EU": "EEA",  # there is no "EU" group: the EEA group covers the EU and IS, LI, NO
}


def is_country_entry(value: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code (upper case) or a group name."""
    return value in COUNTRY_NAMES or value in GROUPS


def country_name(code: str) -> str:
    """The usual English name of a country code, or the code itself when unknown."""
    return COUNTRY_NAMES.get(code, code)


def canonical(entries: list[str] | tuple[str, ...] | frozenset[str]) -> tuple[str, ...]:
    """Entries without duplicates in a fixed order (groups first, then codes A-Z), so that
    messages and reports do not depend on how the policy happened to list them."""
    unique = set(entries)
    return tuple(g for g in GROUPS if g in unique) + tuple(sorted(unique - set(GROUPS)))


def expand(entries: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """The countries a list of codes and group names stands for (groups expanded)."""
    out: set[str] = set()
    for entry in entries:
        out |= GROUPS.get(entry, frozenset({entry}))
    return frozenset(out)


def country_allowed(country: str, entries: list[str] | None, *, dpf: bool) -> bool:
    """Whether data may be in ``country`` under a class's ``countries`` list.

    ``None`` (no ``countries`` key) allows every country, ``[]`` none. An ISO code allows that
    country; ``EEA`` the EEA; ``adequate`` the countries with an EU adequacy decision, and
    the US too when the recipient is certified under the EU-US Data Privacy Framework
    (``dpf``: an agreement with ``mechanism = "dpf"``).
    """
    if entries is None or country in entries:
        return True
    if "EEA" in entries and country in EEA:
        return True
    if "adequate" in entries:
        return country in ADEQUATE or (country == DPF_COUNTRY and dpf)
    return False


def describe_countries(entries: list[str] | None) -> str:
    """A class's ``countries`` in words: "the EEA, countries with an EU adequacy decision"."""
    if entries is None:
        return "any country"
    if not entries:
        return "no country at all"
    words = {"EEA": "the EEA", "adequate": "countries with an EU adequacy decision"}
    parts = [words.get(e, f"{country_name(e)} ({e})") for e in canonical(entries)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
