"""Names, e-mail addresses and postal addresses of the sandbox shoppers (all fictitious).

E-mail domains are the reserved `example.*` ones; phone numbers come from the
ranges set aside for fiction (US 555-01xx, UK 020 7946 0xxx).
"""

from __future__ import annotations

import random
import unicodedata

COUNTRIES = ("US", "CA", "GB", "DE", "FR", "JP")

FIRST_NAMES = {
    "US": (
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Daniel",
        "Karen",
        "Maria",
        "Kevin",
        "Ashley",
        "Brian",
    ),
    "CA": (
        "Liam",
        "Olivia",
        "Noah",
        "Emma",
        "Lucas",
        "Charlotte",
        "Benjamin",
        "Amelia",
        "Ethan",
        "Chloé",
        "Mathis",
        "Léa",
        "Jacob",
        "Zoé",
        "Owen",
        "Mia",
        "Logan",
        "Alice",
        "Nathan",
        "Hannah",
    ),
    "GB": (
        "Oliver",
        "Amelia",
        "George",
        "Isla",
        "Harry",
        "Ava",
        "Jack",
        "Emily",
        "Charlie",
        "Sophie",
        "Thomas",
        "Grace",
        "Oscar",
        "Poppy",
        "Alfie",
        "Freya",
        "Archie",
        "Evie",
        "Henry",
        "Ruby",
    ),
    "DE": (
        "Jürgen",
        "Anna",
        "Lukas",
        "Lena",
        "Maximilian",
        "Lea",
        "Felix",
        "Hannah",
        "Jonas",
        "Marie",
        "Leon",
        "Sophie",
        "Paul",
        "Jörg",
        "Björn",
        "Mia",
        "Günter",
        "Katrin",
        "Moritz",
        "Sören",
    ),
    "FR": (
        "Gabriel",
        "Louise",
        "Raphaël",
        "Jade",
        "Léo",
        "Emma",
        "Louis",
        "Chloé",
        "Jules",
        "Inès",
        "Hugo",
        "Léna",
        "Arthur",
        "Manon",
        "Théo",
        "Camille",
        "Noé",
        "Zoé",
        "Étienne",
        "Hélène",
    ),
    "JP": (
        "Haruto",
        "Yui",
        "Sota",
        "Aoi",
        "Yuto",
        "Hina",
        "Riku",
        "Sakura",
        "Ren",
        "Mei",
        "Kaito",
        "Yuna",
        "Takumi",
        "Rin",
        "Daiki",
        "Saki",
        "Kenji",
        "Akari",
        "Shota",
        "Nanami",
    ),
}

LAST_NAMES = {
    "US": (
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Wilson",
        "Anderson",
        "Taylor",
        "Thomas",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "O'Brien",
        "Nguyen",
        "Walker",
        "Young",
    ),
    "CA": (
        "Tremblay",
        "Gagnon",
        "Roy",
        "Côté",
        "Bouchard",
        "Gauthier",
        "Morin",
        "Lavoie",
        "Fortin",
        "Gagné",
        "Smith",
        "Brown",
        "Wilson",
        "MacDonald",
        "Campbell",
        "Stewart",
        "Wong",
        "Singh",
        "Leblanc",
        "Pelletier",
    ),
    "GB": (
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Patel",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "Wood",
        "Clarke",
    ),
    "DE": (
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Bauer",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Schwarz",
        "Zimmermann",
    ),
    "FR": (
        "Martin",
        "Bernard",
        "Thomas",
        "Petit",
        "Robert",
        "Richard",
        "Durand",
        "Dubois",
        "Moreau",
        "Laurent",
        "Simon",
        "Michel",
        "Lefèvre",
        "Leroy",
        "Roux",
        "David",
        "Bertrand",
        "Morel",
        "Fournier",
        "Girard",
    ),
    "JP": (
        "Sato",
        "Suzuki",
        "Takahashi",
        "Tanaka",
        "Watanabe",
        "Ito",
        "Yamamoto",
        "Nakamura",
        "Kobayashi",
        "Kato",
        "Yoshida",
        "Yamada",
        "Sasaki",
        "Yamaguchi",
        "Matsumoto",
        "Inoue",
        "Kimura",
        "Hayashi",
        "Shimizu",
        "Mori",
    ),
}

# (city, state/province code or "", postcode template: 9 = digit, A = letter)
CITIES = {
    "US": (
        ("New York", "NY", "10099"),
        ("Brooklyn", "NY", "11299"),
        ("Austin", "TX", "78799"),
        ("Seattle", "WA", "98199"),
        ("Denver", "CO", "80299"),
        ("Chicago", "IL", "60699"),
        ("Portland", "OR", "97299"),
        ("Atlanta", "GA", "30399"),
    ),
    "CA": (
        ("Toronto", "ON", "M9A 9A9"),
        ("Montréal", "QC", "H9A 9A9"),
        ("Vancouver", "BC", "V9A 9A9"),
        ("Calgary", "AB", "T9A 9A9"),
        ("Ottawa", "ON", "K9A 9A9"),
    ),
    "GB": (
        ("London", "", "SW9 9AA"),
        ("Manchester", "", "M9 9AA"),
        ("Bristol", "", "BS9 9AA"),
        ("Leeds", "", "LS9 9AA"),
        ("Edinburgh", "", "EH9 9AA"),
        ("Brighton", "", "BN9 9AA"),
    ),
    "DE": (
        ("Berlin", "", "10999"),
        ("München", "", "80999"),
        ("Hamburg", "", "20999"),
        ("Köln", "", "50999"),
        ("Frankfurt am Main", "", "60999"),
        ("Leipzig", "", "04999"),
    ),
    "FR": (
        ("Paris", "", "75099"),
        ("Lyon", "", "69009"),
        ("Marseille", "", "13009"),
        ("Toulouse", "", "31099"),
        ("Nantes", "", "44099"),
        ("Lille", "", "59099"),
    ),
    "JP": (
        ("Tokyo", "13", "199-9999"),
        ("Osaka", "27", "599-9999"),
        ("Yokohama", "14", "299-9999"),
        ("Kyoto", "26", "699-9999"),
        ("Sapporo", "01", "099-9999"),
    ),
}

STREETS = {
    "US": ("Main St", "Oak Ave", "Maple St", "Cedar Ln", "Elm St", "Park Ave", "Lakeview Dr", "Sunset Blvd"),
    "CA": ("King St W", "Queen St E", "Rue Sainte-Catherine", "Granville St", "Bank St", "Yonge St"),
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Kings Road"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schulstraße", "Lindenallee", "Mühlenweg"),
    "FR": ("Rue de la Paix", "Avenue Victor Hugo", "Rue du Moulin", "Boulevard Voltaire", "Rue des Lilas"),
    "JP": ("Chiyoda", "Minato", "Shibuya", "Nakagyo", "Kita", "Chuo"),
}

COUNTRY_NAMES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "JP": "Japan",
}
LOCALES = {"US": "en-US", "CA": "en-CA", "GB": "en-GB", "DE": "de-DE", "FR": "fr-FR", "JP": "ja-JP"}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "'": ""})


def ascii_fold(text: str) -> str:
    """'Jürgen' -> 'juergen', 'Chloé' -> 'chloe', "O'Brien" -> 'obrien'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-_")).lower()


def canonical_email(first: str, last: str, serial: int, style: int, domain: str) -> str:
    """A lower-case, unique address; `serial` (the person's number) keeps it unique."""
    f, s = ascii_fold(first), ascii_fold(last)
    local = (f"{f}.{s}{serial}", f"{f[0]}{s}{serial}", f"{f}_{s}.{serial}", f"{s}.{f}{serial}")[style % 4]
    return f"{local}@{domain}"


def email_variant(email: str, r: random.Random) -> str:
    """The same address as a person types it elsewhere: other case and/or stray whitespace.

    Always differs from `email`, always equal to it after `strip().lower()`.
    """
    local, domain = email.split("@")
    kind = r.randrange(5)
    if kind == 0:
        out = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + domain.capitalize()
    elif kind == 1:
        out = email.upper()
    elif kind == 2:
        out = " " + local[:1].upper() + local[1:] + "@" + domain
    elif kind == 3:
        out = email + " "
    else:
        out = local[:1].upper() + local[1:] + "@" + domain.upper()
    return out if out != email else " " + email


def _fill(template: str, r: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return "".join(
        str(r.randrange(10)) if c == "9" else letters[r.randrange(len(letters))] if c == "A" else c
        for c in template
    )


def postal_address(country: str, r: random.Random) -> dict:
    """A platform-neutral address: street, number, city, state, postcode, country, phone."""
    city, state, template = CITIES[country][r.randrange(len(CITIES[country]))]
    street = STREETS[country][r.randrange(len(STREETS[country]))]
    number = str(r.randint(1, 240))
    if country == "JP":
        number = f"{r.randint(1, 5)}-{r.randint(1, 20)}-{r.randint(1, 15)}"
    return {
        "street": street,
        "number": number,
        "line2": f"Apt {r.randint(1, 40)}" if r.random() < 0.15 else "",
        "city": city,
        "state": state,
        "postcode": _fill(template, r),
        "country": country,
        "phone": phone(country, r),
    }


def phone(country: str, r: random.Random) -> str:
    if country in ("US", "CA"):
        return f"+1 555-01{r.randrange(100):02d}"
    if country == "GB":
        return f"+44 20 7946 0{r.randrange(1000):03d}"
    if country == "DE":
        return f"+49 30 {r.randrange(10_000_000):07d}"
    if country == "FR":
        return f"+33 1 {r.randrange(100):02d} {r.randrange(100):02d} {r.randrange(100):02d} {r.randrange(100):02d}"
    return f"+81 3-{r.randrange(10_000):04d}-{r.randrange(10_000):04d}"


def street_line(address: dict) -> str:
    """'12 Main St' in the US, UK, Canada and France; 'Hauptstraße 12' in Germany and Japan."""
    if address["country"] in ("DE", "JP"):
        return f"{address['street']} {address['number']}"
    return f"{address['number']} {address['street']}"
