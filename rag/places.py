"""Country and US-state names, so "which countries / cities / states" questions can tell a
place from any other capitalised word (registry records list sites by city, state, country)."""

import re

COUNTRIES = """Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan Bahamas Bahrain
Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia Botswana Brazil Brunei Bulgaria Burkina Burundi
Cambodia Cameroon Canada Chad Chile China Colombia Comoros Congo Croatia Cuba Cyprus Czechia Denmark Djibouti Dominica
Ecuador Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France Gabon Gambia Georgia Germany Ghana Greece Grenada
Guatemala Guinea Guyana Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan
Jordan Kazakhstan Kenya Kiribati Korea Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein
Lithuania Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Moldova Monaco Mongolia
Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palau
Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Samoa Senegal Serbia Seychelles Singapore
Slovakia Slovenia Somalia Spain Sudan Suriname Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Togo Tonga
Tunisia Turkey Turkmenistan Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe
Czech_Republic New_Zealand South_Africa Saudi_Arabia Sri_Lanka United_Kingdom United_States Costa_Rica El_Salvador
Puerto_Rico Hong_Kong United_Arab_Emirates Dominican_Republic North_Macedonia"""

US_STATES = """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois
Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana
Nebraska Nevada New_Hampshire New_Jersey New_Mexico New_York North_Carolina North_Dakota Ohio Oklahoma Oregon
Pennsylvania Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia Washington West_Virginia
Wisconsin Wyoming District_of_Columbia Ontario Quebec Alberta Manitoba"""

# cities named without their state or country ("headquartered in South San Francisco"): the
# large ones, and the hubs of the biotech industry
CITIES = """New_York Los_Angeles Chicago Houston Phoenix Philadelphia San_Antonio San_Diego Dallas Austin San_Jose
San_Francisco South_San_Francisco Seattle Denver Boston Cambridge Baltimore Atlanta Miami Tampa Orlando Nashville Detroit
Minneapolis Cleveland Columbus Pittsburgh Cincinnati Indianapolis Milwaukee Kansas_City St._Louis Saint_Louis Omaha
Salt_Lake_City Portland Sacramento Oakland Palo_Alto Menlo_Park Mountain_View Redwood_City Emeryville Foster_City
Thousand_Oaks Irvine La_Jolla Rochester Buffalo Princeton Newark New_Haven Providence Durham Raleigh Chapel_Hill
Charlotte Richmond Bethesda Rockville Gaithersburg Washington New_Orleans Birmingham Louisville Memphis Charleston
Toronto Montreal Vancouver Ottawa Calgary London Oxford Manchester Edinburgh Glasgow Dublin Paris Lyon Marseille
Villejuif Berlin Munich Hamburg Frankfurt Heidelberg Cologne Amsterdam Rotterdam Leiden Utrecht Brussels Leuven Ghent
Basel Zurich Geneva Bern Lausanne Vienna Milan Rome Naples Turin Bologna Madrid Barcelona Valencia Seville Salamanca
Pamplona Lisbon Porto Copenhagen Stockholm Oslo Helsinki Warsaw Prague Budapest Athens Istanbul Tel_Aviv Jerusalem
Haifa Moscow Beijing Shanghai Guangzhou Shenzhen Tianjin Wuhan Chengdu Hangzhou Nanjing Suzhou Tokyo Osaka Kyoto Seoul
Busan Taipei Hong_Kong Singapore Bangkok Mumbai Delhi New_Delhi Bangalore Hyderabad Chennai Sydney Melbourne Brisbane
Perth Adelaide Auckland Sao_Paulo Rio_de_Janeiro Buenos_Aires Mexico_City Santiago Bogota Lima Cairo Johannesburg
Cape_Town Nairobi Lagos Dubai Riyadh Doha"""

_NAMES = sorted({n.replace("_", " ") for n in (COUNTRIES + " " + US_STATES).split()}, key=len, reverse=True)
_ALTERNATION = "|".join(re.escape(n) for n in _NAMES)
PLACE = re.compile(r"\b(?:" + _ALTERNATION + r")\b")


_CITY_NAMES = sorted({n.replace("_", " ") for n in CITIES.split()}, key=len, reverse=True)
CITY_NAME = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in _CITY_NAMES) + r")\b")


def has_place(text: str) -> bool:
    return bool(PLACE.search(text) or CITY_NAME.search(text))


# a city is named before its state or country: "Houston, Texas", "Denver, Colorado, United States"
_CITY = re.compile(r"\b([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}),\s*(?:" + _ALTERNATION + r")\b")


def has_city(text: str) -> bool:
    return bool(CITY_NAME.search(text)) or any(not PLACE.fullmatch(m.group(1)) for m in _CITY.finditer(text))
