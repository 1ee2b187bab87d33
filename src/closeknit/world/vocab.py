"""Static vocabulary of the synthetic world: niches, languages, countries, names and texts.

Brands are fictional on purpose (no trademark is implied). Each niche has its own words, hashtags
and brands so that captions carry a real (but noisy) niche signal.
"""

from __future__ import annotations

from typing import Final

# niche id -> (words, hashtags, brands, vendor category, business category)
NICHES: Final[dict[str, tuple[list[str], list[str], list[str], str, str]]] = {
    "fitness": (
        "gym workout squat deadlift protein gains muscle bench press leg day reps sets "
        "strength hypertrophy cardio shred bulk physique barbell dumbbell".split(),
        (
            "#fitness #gym #fitfam #gymlife #workout #gains #strengthtraining #fitnessmotivation"
        ).split(),
        ["IronPeak", "FlexFuel", "TitanWhey", "GymForge", "PulseWear"],
        "Fitness & Gym",
        "Personal Trainer",
    ),
    "home_workout": (
        "living room home workout mat resistance bands bodyweight hiit no equipment "
        "apartment kettlebell plank burpees quick routine stretch".split(),
        "#homeworkout #workoutathome #hiit #bodyweight #nogym #fitathome #resistancebands".split(),
        ["BandBox", "MatMotion", "CoreCorner", "HomeHIIT", "FlexLoop"],
        "Fitness & Gym",
        "Fitness Model",
    ),
    "running": (
        "run marathon half-marathon pace km splits trail long run tempo intervals race "
        "sneakers strava personal best 10k recovery".split(),
        (
            "#running #runner #marathon #runnersofinstagram #trailrunning #halfmarathon #strava"
        ).split(),
        ["StrideLab", "PaceSetter", "RoadRush", "TrailMile", "SprintSole"],
        "Fitness & Gym",
        "Athlete",
    ),
    "yoga": (
        "yoga asana flow vinyasa breath mindfulness meditation namaste mat stretch balance "
        "sun salutation pose inversion calm chakra".split(),
        (
            "#yoga #yogapractice #yogaeveryday #meditation #vinyasa #yogainspiration #mindfulness"
        ).split(),
        ["LotusMat", "ZenThread", "OmStudio", "FlowBlock", "SattvaWear"],
        "Fitness & Gym",
        "Health/Beauty",
    ),
    "cycling": (
        "bike ride cycling road bike gravel climb watts cadence peloton saddle helmet "
        "descent century ride chain gear sportive".split(),
        "#cycling #roadbike #bikelife #gravelbike #cyclinglife #velo #ridemore".split(),
        ["SpokeWorks", "CrankCraft", "VeloVista", "GearGrid", "SaddleUp"],
        "Sports",
        "Athlete",
    ),
    "football": (
        "football match goal striker midfield stadium derby league kick training pitch "
        "penalty assist boots club season".split(),
        "#football #soccer #futbol #goal #matchday #footballskills #futebol".split(),
        ["GoalLine", "PitchPro", "KickStar", "StrikerX", "ClubKit"],
        "Sports with a ball",
        "Athlete",
    ),
    "basketball": (
        "basketball hoops dunk court crossover three pointer rebound playoffs sneakers "
        "dribble layup buzzer beater jersey streetball nba".split(),
        "#basketball #hoops #ballislife #nba #dunk #streetball #basketballneverstops".split(),
        ["HoopHaus", "CourtKing", "DunkLab", "RimRocket", "BallerBox"],
        "Sports with a ball",
        "Athlete",
    ),
    "outdoor": (
        "hiking camping mountains trail summit tent backpacking wilderness forest lake "
        "sunrise peak gear campfire adventure".split(),
        "#hiking #camping #outdoors #mountains #adventure #backpacking #naturelovers".split(),
        ["SummitGear", "TrailNest", "PeakPack", "WildCanvas", "CampCraft"],
        "Nature & landscapes",
        "Outdoor & Sporting Goods Company",
    ),
    "fashion": (
        "outfit ootd dress style look lookbook runway trend blazer heels accessories "
        "wardrobe capsule chic silhouette".split(),
        "#fashion #ootd #style #outfitoftheday #fashionista #lookbook #instafashion".split(),
        ["MaisonVelle", "ChicThread", "Lunaire", "ModaNova", "Atelier9"],
        "Fashion",
        "Fashion Model",
    ),
    "streetwear": (
        "streetwear hoodie drop sneakers hype fit cargo graphic tee limited release "
        "resell kicks cap oversized collab".split(),
        "#streetwear #sneakers #hypebeast #streetstyle #kicks #sneakerhead #fitcheck".split(),
        ["DropCult", "KickVault", "HypeHaus", "StreetForm", "BlockTee"],
        "Clothing & Outfits",
        "Clothing (Brand)",
    ),
    "beauty": (
        "makeup foundation lipstick eyeshadow palette contour glow highlighter lashes "
        "blush tutorial glam brows concealer mascara".split(),
        "#makeup #beauty #mua #makeuptutorial #glam #makeuplover #beautyblogger".split(),
        ["GlowLab", "Velvetine", "BlushBar", "LashLux", "HueCo"],
        "Beauty",
        "Beauty, Cosmetic & Personal Care",
    ),
    "skincare": (
        "skincare serum moisturizer spf retinol niacinamide cleanser routine acne "
        "hydration glow toner barrier sunscreen dermatologist".split(),
        "#skincare #skincareroutine #glowingskin #spf #skincaretips #selfcare #skintok".split(),
        ["DermaDew", "PureBarrier", "SerumSociety", "ClearKind", "SunVeil"],
        "Beauty",
        "Health/Beauty",
    ),
    "haircare": (
        "hair curls haircare shampoo conditioner hairstyle blowout braids hair mask "
        "frizz color balayage scalp treatment".split(),
        "#haircare #hairstyle #curlyhair #hairgoals #balayage #hairtutorial #healthyhair".split(),
        ["CurlCraft", "ManeMuse", "SilkStrand", "RootRitual", "BraidBar"],
        "Beauty",
        "Hair Salon",
    ),
    "cooking": (
        "recipe dinner pasta chef kitchen homemade sauce garlic roast skillet flavor "
        "meal prep spices grill lunch".split(),
        "#cooking #recipe #homemade #foodie #dinner #easyrecipes #homecooking".split(),
        ["PanPerfect", "SpiceRoute", "ChefBox", "SkilletCo", "HerbHouse"],
        "Food & Cooking",
        "Chef",
    ),
    "baking": (
        "baking bread sourdough cake cookies oven dough pastry frosting croissant flour "
        "butter cupcakes loaf proof".split(),
        "#baking #sourdough #homebaking #cake #bakinglove #pastry #breadmaking".split(),
        ["FlourPower", "CrumbCo", "OvenJoy", "WhiskWorks", "DoughDuo"],
        "Food & Cooking",
        "Bakery",
    ),
    "vegan": (
        "vegan plantbased tofu lentils chickpeas dairy-free cruelty-free tempeh bowl "
        "oat milk vegetables plant protein hummus quinoa".split(),
        "#vegan #plantbased #veganfood #whatveganseat #veganrecipes #crueltyfree #govegan".split(),
        ["GreenSprout", "PlantPlate", "OatWay", "VeggieVibe", "TofuTown"],
        "Food & Cooking",
        "Health Food Store",
    ),
    "coffee": (
        "coffee espresso latte art barista pour over beans roast cappuccino grinder "
        "cafe brew cold brew crema aeropress".split(),
        "#coffee #latteart #espresso #coffeetime #barista #coffeelover #specialtycoffee".split(),
        ["BeanBrothers", "CremaCo", "RoastRitual", "BrewBarn", "GrindHouse"],
        "Food & Cooking",
        "Coffee Shop",
    ),
    "travel": (
        "travel trip beach flight hotel wanderlust passport itinerary island city break "
        "backpacker sunset road trip explore resort".split(),
        "#travel #wanderlust #travelgram #instatravel #travelblogger #explore #vacation".split(),
        ["JetNest", "RoamRight", "Passportly", "WanderBag", "StayLoop"],
        "Travel",
        "Travel Company",
    ),
    "parenting": (
        "baby toddler mom dad parenting kids nursery sleep schedule family newborn "
        "school playtime bedtime diapers motherhood".split(),
        "#parenting #momlife #motherhood #toddler #dadlife #familytime #newborn".split(),
        ["TinyNest", "CuddleCo", "BabyBloom", "KidKraft", "SnugSleep"],
        "Family",
        "Personal Blog",
    ),
    "pets": (
        "dog puppy cat kitten pet walk treats vet grooming adopt leash paws fur "
        "rescue dog park toy".split(),
        "#dogsofinstagram #catsofinstagram #pets #puppy #dog #cat #adoptdontshop".split(),
        ["PawPal", "WhiskerWell", "BarkBox9", "FurFeast", "TailTrail"],
        "Pets",
        "Pet Service",
    ),
    "interior": (
        "interior design living room decor home sofa styling scandinavian shelf "
        "lighting rug cozy renovation plants minimal".split(),
        "#interiordesign #homedecor #interior #homestyling #scandinavianhome #livingroom".split(),
        ["NordNest", "CasaLux", "DecoDen", "LumenHome", "RugRoom"],
        "Interior",
        "Interior Design Studio",
    ),
    "gardening": (
        "garden plants seeds tomatoes compost soil harvest raised bed flowers pruning "
        "greenhouse veggie patch watering bulbs".split(),
        "#gardening #garden #growyourown #plants #gardenlife #homegrown #allotment".split(),
        ["SeedSprout", "GreenThumbCo", "SoilSoul", "BloomBox", "RootRise"],
        "Nature & landscapes",
        "Garden Center",
    ),
    "diy_crafts": (
        "diy craft handmade knitting crochet sewing paint upcycle glue project yarn "
        "pattern woodworking embroidery tutorial".split(),
        "#diy #crafts #handmade #crochet #knitting #upcycling #diyprojects".split(),
        ["CraftNook", "YarnYard", "StitchCo", "MakerMill", "GlueGun"],
        "Art/Artists",
        "Arts & Crafts Store",
    ),
    "tech": (
        "tech gadget smartphone laptop review unboxing specs battery camera chip "
        "keyboard setup wireless earbuds software".split(),
        "#tech #gadgets #unboxing #techreview #smartphone #setup #technology".split(),
        ["VoltByte", "PixelPro", "ChipChamp", "NexaTech", "SonicBud"],
        "Computers & Gadgets",
        "Electronics",
    ),
    "gaming": (
        "gaming stream controller fps console pc build ranked squad boss fight "
        "speedrun headset esports loot patch".split(),
        "#gaming #gamer #twitch #pcgaming #esports #gamingsetup #videogames".split(),
        ["FragForge", "PixelPad", "LootLab", "RespawnGear", "ClutchCo"],
        "Gaming",
        "Gaming Video Creator",
    ),
    "photography": (
        "photography lens camera aperture shutter golden hour portrait landscape "
        "editing preset film raw composition tripod bokeh".split(),
        (
            "#photography #photooftheday #portrait #landscapephotography #filmphotography #35mm"
        ).split(),
        ["LensLight", "ShutterBox", "FocusFrame", "ApertureCo", "FilmRoll"],
        "Photography",
        "Photographer",
    ),
    "music": (
        "music song guitar studio album beat producer vocals cover live show tour "
        "melody piano release single".split(),
        "#music #musician #newmusic #guitar #singer #producer #livemusic".split(),
        ["ChordCraft", "BeatBarn", "EchoAmp", "TuneTribe", "StageLine"],
        "Music",
        "Musician/Band",
    ),
    "books": (
        "books reading novel chapter bookshelf library author fantasy thriller tbr "
        "bookclub paperback review page-turner kindle".split(),
        "#bookstagram #books #reading #booklover #bookworm #tbr #bookreview".split(),
        ["PageTurn", "InkWell", "ShelfLife", "NovelNook", "ChapterOne"],
        "Literature & Journalism",
        "Writer",
    ),
    "personal_finance": (
        "money budget savings invest index funds debt retirement stocks frugal "
        "side hustle credit score compound interest etf emergency fund".split(),
        "#personalfinance #investing #money #budgeting #financialfreedom #savings #fire".split(),
        ["CoinCove", "SaveSmart", "VaultWise", "FundFox", "LedgerLy"],
        "Finance & Economics",
        "Financial Service",
    ),
    "sustainability": (
        "sustainable zero waste eco recycle reusable climate thrift compost plastic-free "
        "ethical slow fashion refill solar upcycled".split(),
        (
            "#sustainability #zerowaste #ecofriendly #sustainableliving #plasticfree #slowfashion"
        ).split(),
        ["EcoLoop", "ReFill", "GreenCycle", "TerraWare", "Reuse"],
        "Science",
        "Community Organization",
    ),
}
NICHE_IDS: Final[list[str]] = list(NICHES)

# Related niches: off-niche posts and second interests are drawn from these first.
RELATED: Final[dict[str, list[str]]] = {
    "fitness": ["home_workout", "running", "yoga"],
    "home_workout": ["fitness", "yoga", "parenting"],
    "running": ["fitness", "cycling", "outdoor"],
    "yoga": ["fitness", "vegan", "sustainability"],
    "cycling": ["running", "outdoor", "travel"],
    "football": ["basketball", "fitness", "gaming"],
    "basketball": ["football", "streetwear", "fitness"],
    "outdoor": ["travel", "photography", "running"],
    "fashion": ["beauty", "streetwear", "travel"],
    "streetwear": ["fashion", "basketball", "music"],
    "beauty": ["skincare", "haircare", "fashion"],
    "skincare": ["beauty", "haircare", "sustainability"],
    "haircare": ["beauty", "skincare", "fashion"],
    "cooking": ["baking", "vegan", "coffee"],
    "baking": ["cooking", "coffee", "parenting"],
    "vegan": ["cooking", "sustainability", "yoga"],
    "coffee": ["baking", "cooking", "books"],
    "travel": ["photography", "outdoor", "fashion"],
    "parenting": ["home_workout", "cooking", "books"],
    "pets": ["outdoor", "parenting", "photography"],
    "interior": ["diy_crafts", "gardening", "sustainability"],
    "gardening": ["interior", "sustainability", "cooking"],
    "diy_crafts": ["interior", "sustainability", "parenting"],
    "tech": ["gaming", "photography", "personal_finance"],
    "gaming": ["tech", "music", "streetwear"],
    "photography": ["travel", "tech", "outdoor"],
    "music": ["streetwear", "gaming", "photography"],
    "books": ["coffee", "parenting", "personal_finance"],
    "personal_finance": ["tech", "books", "sustainability"],
    "sustainability": ["vegan", "gardening", "diy_crafts"],
}

# country -> (language, weight among creators, vendor country name)
COUNTRIES: Final[dict[str, tuple[str, float, str]]] = {
    "US": ("en", 0.24, "United States"),
    "GB": ("en", 0.09, "United Kingdom"),
    "CA": ("en", 0.04, "Canada"),
    "AU": ("en", 0.03, "Australia"),
    "IN": ("en", 0.06, "India"),
    "ES": ("es", 0.06, "Spain"),
    "MX": ("es", 0.06, "Mexico"),
    "AR": ("es", 0.03, "Argentina"),
    "CO": ("es", 0.02, "Colombia"),
    "DE": ("de", 0.08, "Germany"),
    "AT": ("de", 0.02, "Austria"),
    "FR": ("fr", 0.07, "France"),
    "BR": ("pt", 0.10, "Brazil"),
    "PT": ("pt", 0.02, "Portugal"),
    "IT": ("it", 0.08, "Italy"),
}
COUNTRY_IDS: Final[list[str]] = list(COUNTRIES)
LANGUAGES: Final[list[str]] = ["en", "es", "de", "fr", "pt", "it"]

# Generic (niche-free) caption phrases per language.
GENERIC: Final[dict[str, list[str]]] = {
    "en": [
        "what a day",
        "so happy with this",
        "new week new goals",
        "can't wait to show you more",
        "link in bio",
        "tell me what you think",
        "weekend vibes",
        "loving this",
        "guess what",
        "throwback to this moment",
        "good morning everyone",
        "sunday mood",
        "let's go",
        "this made my day",
        "swipe for more",
        "who else",
        "honestly obsessed",
        "quick update",
        "little things",
        "back at it",
        "grateful for you all",
        "drop a comment below",
    ],
    "es": [
        "qué día",
        "muy feliz con esto",
        "nueva semana nuevas metas",
        "link en la bio",
        "díganme qué opinan",
        "vibras de fin de semana",
        "me encanta",
        "buenos días a todos",
        "domingo tranquilo",
        "vamos",
        "esto me alegró el día",
        "desliza para ver más",
        "gracias por todo",
        "pequeñas cosas",
        "de vuelta",
        "déjame un comentario",
    ],
    "de": [
        "was für ein tag",
        "so glücklich damit",
        "neue woche neue ziele",
        "link in der bio",
        "sagt mir was ihr denkt",
        "wochenende",
        "ich liebe es",
        "guten morgen ihr lieben",
        "sonntagsstimmung",
        "los geht's",
        "das hat meinen tag gemacht",
        "wischt für mehr",
        "danke für alles",
        "kleine dinge",
        "zurück",
        "schreibt es in die kommentare",
    ],
    "fr": [
        "quelle journée",
        "trop contente",
        "nouvelle semaine nouveaux objectifs",
        "lien dans la bio",
        "dites-moi ce que vous en pensez",
        "ambiance week-end",
        "j'adore",
        "bonjour tout le monde",
        "dimanche tranquille",
        "c'est parti",
        "ça a fait ma journée",
        "glissez pour voir plus",
        "merci pour tout",
        "les petites choses",
        "de retour",
        "dites-le en commentaire",
    ],
    "pt": [
        "que dia",
        "muito feliz com isso",
        "nova semana novas metas",
        "link na bio",
        "me contem o que acharam",
        "clima de fim de semana",
        "amei",
        "bom dia gente",
        "domingo tranquilo",
        "bora",
        "isso fez meu dia",
        "arrasta pro lado",
        "obrigada por tudo",
        "pequenas coisas",
        "de volta",
        "comenta aqui embaixo",
    ],
    "it": [
        "che giornata",
        "felicissima",
        "nuova settimana nuovi obiettivi",
        "link in bio",
        "ditemi cosa ne pensate",
        "vibes del weekend",
        "adoro",
        "buongiorno a tutti",
        "domenica tranquilla",
        "andiamo",
        "mi ha fatto la giornata",
        "scorri per vedere",
        "grazie di tutto",
        "piccole cose",
        "di nuovo qui",
        "scrivetemi nei commenti",
    ],
}

# Niche-word connectors per language ("my new {w}") so niche words sit inside local text.
NICHE_FRAMES: Final[dict[str, list[str]]] = {
    "en": [
        "my new {w}",
        "all about {w}",
        "{w} time",
        "today's {w}",
        "more {w} soon",
        "{w} and {a}",
    ],
    "es": [
        "mi nuevo {w}",
        "todo sobre {w}",
        "hora de {w}",
        "{w} de hoy",
        "más {w} pronto",
        "{w} y {a}",
    ],
    "de": [
        "mein neues {w}",
        "alles über {w}",
        "{w} zeit",
        "heute {w}",
        "bald mehr {w}",
        "{w} und {a}",
    ],
    "fr": [
        "mon nouveau {w}",
        "tout sur {w}",
        "l'heure du {w}",
        "{w} du jour",
        "bientôt plus de {w}",
        "{w} et {a}",
    ],
    "pt": [
        "meu novo {w}",
        "tudo sobre {w}",
        "hora do {w}",
        "{w} de hoje",
        "mais {w} em breve",
        "{w} e {a}",
    ],
    "it": [
        "il mio nuovo {w}",
        "tutto su {w}",
        "ora di {w}",
        "{w} di oggi",
        "presto altro {w}",
        "{w} e {a}",
    ],
}

# Disclosure markers by language (hashtag kinds) and the paid-partnership sentence.
DISCLOSURE_TAGS: Final[dict[str, list[str]]] = {
    "en": ["#ad", "#sponsored", "#partner", "#paidpartnership"],
    "es": ["#publi", "#publicidad", "#ad", "#colaboración"],
    "de": ["#anzeige", "#werbung", "#ad"],
    "fr": ["#pub", "#sponsorisé", "#partenariat", "#ad"],
    "pt": ["#publi", "#publicidade", "#parceria", "#ad"],
    "it": ["#adv", "#sponsorizzato", "#ad", "#collaborazione"],
}
PAID_PARTNERSHIP: Final[dict[str, str]] = {
    "en": "paid partnership with @{b}",
    "es": "colaboración pagada con @{b}",
    "de": "bezahlte Partnerschaft mit @{b}",
    "fr": "partenariat rémunéré avec @{b}",
    "pt": "parceria paga com @{b}",
    "it": "partnership retribuita con @{b}",
}
DISCOUNT_LINE: Final[dict[str, str]] = {
    "en": "use code {c} for 15% off",
    "es": "usa el código {c} para 15% de descuento",
    "de": "mit dem code {c} bekommt ihr 15% rabatt",
    "fr": "code {c} pour -15%",
    "pt": "use o cupom {c} para 15% off",
    "it": "usa il codice {c} per il 15% di sconto",
}

# Genuine follower comments per language; "{w}" is filled with a niche word sometimes.
COMMENTS: Final[dict[str, list[str]]] = {
    "en": [
        "love this!",
        "so good 😍",
        "where is this from?",
        "need this {w} in my life",
        "great tip, thanks",
        "this is amazing",
        "how long did it take?",
        "obsessed with the {w}",
        "you look great",
        "saving this",
        "what brand is that?",
        "yes!! 🙌",
        "so inspiring",
        "trying this tomorrow",
        "the {w} looks perfect",
    ],
    "es": [
        "me encanta!",
        "qué lindo 😍",
        "dónde es esto?",
        "necesito este {w}",
        "gracias por el tip",
        "increíble",
        "cuánto tardaste?",
        "ese {w} 🔥",
        "guardado",
        "qué marca es?",
        "sí!! 🙌",
        "lo pruebo mañana",
        "qué inspiración",
    ],
    "de": [
        "liebe das!",
        "so schön 😍",
        "wo ist das?",
        "brauche dieses {w}",
        "danke für den tipp",
        "mega",
        "wie lange hat das gedauert?",
        "das {w} 🔥",
        "gespeichert",
        "welche marke?",
        "ja!! 🙌",
        "probiere ich morgen",
        "so inspirierend",
    ],
    "fr": [
        "j'adore !",
        "trop beau 😍",
        "c'est où ?",
        "il me faut ce {w}",
        "merci pour l'astuce",
        "incroyable",
        "ça t'a pris combien de temps ?",
        "ce {w} 🔥",
        "enregistré",
        "c'est quelle marque ?",
        "oui !! 🙌",
        "je teste demain",
        "trop inspirant",
    ],
    "pt": [
        "amei!",
        "que lindo 😍",
        "onde é isso?",
        "preciso desse {w}",
        "obrigada pela dica",
        "incrível",
        "quanto tempo levou?",
        "esse {w} 🔥",
        "salvei",
        "qual a marca?",
        "sim!! 🙌",
        "vou testar amanhã",
        "que inspiração",
    ],
    "it": [
        "adoro!",
        "bellissimo 😍",
        "dove si trova?",
        "mi serve questo {w}",
        "grazie del consiglio",
        "incredibile",
        "quanto tempo ci hai messo?",
        "questo {w} 🔥",
        "salvato",
        "che marca è?",
        "sì!! 🙌",
        "lo provo domani",
        "che ispirazione",
    ],
}
REPLIES: Final[dict[str, list[str]]] = {
    "en": [
        "thank you so much! ❤️",
        "glad you like it!",
        "haha yes!",
        "link is in my bio 😊",
        "thanks babe",
        "it took about a week!",
        "🙏❤️",
    ],
    "es": [
        "muchas gracias! ❤️",
        "me alegra que te guste!",
        "jaja sí!",
        "link en mi bio 😊",
        "gracias linda",
        "🙏❤️",
    ],
    "de": [
        "vielen dank! ❤️",
        "freut mich!",
        "haha ja!",
        "link ist in der bio 😊",
        "danke dir",
        "🙏❤️",
    ],
    "fr": [
        "merci beaucoup ! ❤️",
        "contente que ça te plaise !",
        "haha oui !",
        "le lien est dans ma bio 😊",
        "merci ma belle",
        "🙏❤️",
    ],
    "pt": [
        "muito obrigada! ❤️",
        "que bom que gostou!",
        "haha sim!",
        "link na minha bio 😊",
        "obrigada linda",
        "🙏❤️",
    ],
    "it": [
        "grazie mille! ❤️",
        "felice che ti piaccia!",
        "ahah sì!",
        "link nella mia bio 😊",
        "grazie cara",
        "🙏❤️",
    ],
}
# Pod members' comments: warm, generic, longer than fan comments, posted within minutes.
POD_COMMENTS: Final[list[str]] = [
    "Amazing content as always! 🙌🔥",
    "This is so inspiring, keep it up! 💯",
    "Wow, love everything about this post 😍😍",
    "Such a great shot, obsessed! ✨",
    "Yesss queen, this is everything 🔥🙌",
    "Incredible work, so proud of you! 👏👏",
    "Goals!! Love this so much ❤️❤️",
    "Stunning as always 😍🔥",
]
# Bot texts: generic praise, emoji-only and link spam; the SAME texts appear across creators.
BOT_COMMENTS: Final[list[str]] = [
    "Nice pic 🔥",
    "Great post!",
    "🔥🔥🔥",
    "😍😍😍",
    "👏👏👏",
    "❤️❤️",
    "Awesome 💯",
    "Cool 👍",
    "Love it",
    "Wow 😮",
    "Nice",
    "💯💯",
    "DM us to collab 💰",
    "Send pic to @promo.hub.daily to get featured ✨",
    "Want more followers? Check my bio 🚀",
    "Earn $500/day from home, link in bio 💵",
    "Promote it on @viral.page.boost 📈",
    "free followers at getfollows.example 🔥",
    "Check my page for giveaways 🎁",
    "Collab? DM @brand.ambassador.hq 💌",
]

FIRST_NAMES: Final[list[str]] = (
    "emma olivia ava mia sophia isabella lucia sofia martina valentina giulia chiara lea hanna "
    "lena marie chloe camille manon ines ana beatriz julia laura sara alice noah liam lucas "
    "mateo leo hugo luca marco matteo lorenzo pablo diego javier carlos miguel pedro joao "
    "gabriel rafael felix max paul jonas ben tom jack harry james oliver ethan daniel amir "
    "priya arjun rohan ananya zoe nina elena clara rosa paula marta irene tiago bruno".split()
)
LAST_NAMES: Final[list[str]] = (
    "smith jones brown taylor wilson miller garcia martinez lopez gonzalez rodriguez perez "
    "sanchez silva santos oliveira souza costa pereira rossi russo ferrari esposito bianchi "
    "romano muller schmidt schneider fischer weber meyer wagner becker martin bernard dubois "
    "thomas robert richard petit moreau laurent kumar sharma patel singh nguyen kim park".split()
)
HANDLE_SUFFIXES: Final[list[str]] = (
    "fit runs cooks bakes eats travels style beauty glow home garden makes tech plays shoots "
    "music reads money green life daily official world studio club lab diaries".split()
)
NICHE_HANDLE_WORDS: Final[dict[str, list[str]]] = {
    "fitness": ["fit", "gains", "lifts"],
    "home_workout": ["homefit", "sweat", "moves"],
    "running": ["runs", "miles", "pace"],
    "yoga": ["yoga", "flow", "zen"],
    "cycling": ["rides", "velo", "spins"],
    "football": ["futbol", "goals", "ball"],
    "basketball": ["hoops", "buckets", "court"],
    "outdoor": ["wild", "trails", "peaks"],
    "fashion": ["style", "looks", "closet"],
    "streetwear": ["fits", "kicks", "drip"],
    "beauty": ["beauty", "glam", "mua"],
    "skincare": ["skin", "glow", "derm"],
    "haircare": ["hair", "curls", "mane"],
    "cooking": ["cooks", "kitchen", "eats"],
    "baking": ["bakes", "crumbs", "oven"],
    "vegan": ["vegan", "plants", "greens"],
    "coffee": ["coffee", "brews", "beans"],
    "travel": ["travels", "roams", "abroad"],
    "parenting": ["mama", "papa", "family"],
    "pets": ["paws", "pup", "kitty"],
    "interior": ["home", "nest", "interiors"],
    "gardening": ["garden", "grows", "plot"],
    "diy_crafts": ["makes", "crafts", "stitches"],
    "tech": ["tech", "bytes", "gadgets"],
    "gaming": ["plays", "gg", "gamer"],
    "photography": ["shoots", "lens", "frames"],
    "music": ["music", "beats", "sings"],
    "books": ["reads", "books", "pages"],
    "personal_finance": ["money", "saves", "invests"],
    "sustainability": ["green", "eco", "lowwaste"],
}
BIO_LINES: Final[dict[str, str]] = {
    "en": "{w1} & {w2} | based in {c} | collabs: DM",
    "es": "{w1} y {w2} | desde {c} | colaboraciones por DM",
    "de": "{w1} & {w2} | aus {c} | kooperationen per DM",
    "fr": "{w1} & {w2} | basée à {c} | collabs en DM",
    "pt": "{w1} e {w2} | de {c} | parcerias via DM",
    "it": "{w1} & {w2} | da {c} | collaborazioni in DM",
}

# Sub-topics inside each niche: (name, words, hashtags). A creator focuses on one sub-topic of its
# niche and mentions it in a share of its niche posts (its "focus"), so a brief can ask for
# "minimalist jewellery" or "anklets" and find the fashion creators who post about them.
SUBTOPICS: Final[dict[str, list[tuple[str, list[str], list[str]]]]] = {
    "fitness": [
        (
            "powerlifting",
            ["powerlifting", "deadlift pr", "squat rack", "meet prep"],
            ["#powerlifting", "#powerlifter"],
        ),
        (
            "functional",
            ["functional training", "kettlebell complex", "sled push", "crossfit wod"],
            ["#functionalfitness", "#crossfit"],
        ),
        (
            "bodybuilding",
            ["bodybuilding", "posing practice", "cutting phase", "pump session"],
            ["#bodybuilding", "#physiquecoach"],
        ),
    ],
    "home_workout": [
        (
            "pilates",
            ["pilates", "reformer pilates", "mat pilates", "core burn"],
            ["#pilates", "#pilatesathome"],
        ),
        (
            "hiit",
            ["hiit circuit", "tabata", "sweat session", "jump squats"],
            ["#hiitworkout", "#tabata"],
        ),
        (
            "bands",
            ["resistance band", "booty bands", "band workout", "mini band"],
            ["#bandworkout", "#glutebands"],
        ),
    ],
    "running": [
        (
            "marathon",
            ["marathon training", "long run", "race day", "taper week"],
            ["#marathontraining", "#marathoner"],
        ),
        (
            "trail",
            ["trail running", "ultra", "vertical gain", "muddy trails"],
            ["#trailrunner", "#ultrarunning"],
        ),
        (
            "parkrun",
            ["parkrun", "5k pb", "couch to 5k", "beginner runner"],
            ["#parkrun", "#couchto5k"],
        ),
    ],
    "yoga": [
        (
            "yin",
            ["yin yoga", "restorative", "long holds", "slow stretch"],
            ["#yinyoga", "#restorativeyoga"],
        ),
        (
            "power",
            ["power yoga", "ashtanga", "arm balance", "handstand"],
            ["#poweryoga", "#ashtanga"],
        ),
        (
            "prenatal",
            ["prenatal yoga", "pregnancy yoga", "bump stretch", "birth prep"],
            ["#prenatalyoga", "#pregnancyyoga"],
        ),
    ],
    "cycling": [
        (
            "gravel",
            ["gravel ride", "bikepacking", "gravel tyres", "dirt roads"],
            ["#gravelride", "#bikepacking"],
        ),
        ("road", ["road racing", "crit", "power meter", "aero"], ["#roadcycling", "#crit"]),
        (
            "commute",
            ["bike commute", "city bike", "ebike", "cargo bike"],
            ["#bikecommute", "#ebike"],
        ),
    ],
    "football": [
        (
            "freestyle",
            ["freestyle tricks", "keepy uppy", "panna", "skills video"],
            ["#footballfreestyle", "#panna"],
        ),
        (
            "goalkeeping",
            ["goalkeeper", "gloves", "diving save", "clean sheet"],
            ["#goalkeeper", "#gkunion"],
        ),
        ("fandom", ["matchday", "away day", "terrace", "ultras"], ["#awaydays", "#matchdayvibes"]),
    ],
    "basketball": [
        (
            "training",
            ["shooting drills", "handles", "vertical jump", "workout reps"],
            ["#hoopsworkout", "#handles"],
        ),
        (
            "sneakers",
            ["basketball shoes", "signature shoe", "on court review", "traction"],
            ["#kicksoncourt", "#hoopshoes"],
        ),
        (
            "streetball",
            ["pickup game", "outdoor court", "1v1", "blacktop"],
            ["#pickupgame", "#blacktop"],
        ),
    ],
    "outdoor": [
        (
            "wildcamping",
            ["wild camping", "bivvy", "leave no trace", "tarp setup"],
            ["#wildcamping", "#bivvy"],
        ),
        ("climbing", ["bouldering", "crag", "chalk bag", "send"], ["#bouldering", "#climbing"]),
        ("vanlife", ["vanlife", "van build", "campervan", "road camp"], ["#vanlife", "#vanbuild"]),
    ],
    "fashion": [
        (
            "jewellery",
            [
                "jewellery",
                "minimalist jewellery",
                "gold necklace",
                "layered necklaces",
                "stacking rings",
                "hoop earrings",
                "dainty bracelet",
            ],
            ["#jewellery", "#minimalistjewellery"],
        ),
        (
            "footwear",
            ["shoes", "loafers", "ankle boots", "strappy sandals", "mules"],
            ["#shoesoftheday", "#shoeaddict"],
        ),
        (
            "vintage",
            ["vintage finds", "thrift haul", "secondhand", "retro denim"],
            ["#vintagefashion", "#thrifted"],
        ),
    ],
    "streetwear": [
        (
            "sneakers",
            ["sneaker rotation", "jordans", "dunk low", "on feet"],
            ["#sneakerrotation", "#onfeet"],
        ),
        (
            "techwear",
            ["techwear", "utility vest", "shell jacket", "gorpcore"],
            ["#techwear", "#gorpcore"],
        ),
        (
            "vintage_tees",
            ["vintage tee", "band tee", "single stitch", "graphic print"],
            ["#vintagetee", "#bandtee"],
        ),
    ],
    "beauty": [
        ("nails", ["nail art", "gel nails", "manicure", "nail polish"], ["#nailart", "#gelnails"]),
        (
            "lashes",
            ["lash lift", "false lashes", "lash extensions", "brow lamination"],
            ["#lashlift", "#browlamination"],
        ),
        (
            "sfx",
            ["sfx makeup", "halloween look", "body paint", "creative makeup"],
            ["#sfxmakeup", "#creativemakeup"],
        ),
    ],
    "skincare": [
        (
            "acne",
            ["acne journey", "breakouts", "salicylic acid", "spot treatment"],
            ["#acnejourney", "#acneskin"],
        ),
        (
            "antiaging",
            ["anti aging", "fine lines", "retinoid", "collagen"],
            ["#antiaging", "#retinoids"],
        ),
        (
            "kbeauty",
            ["korean skincare", "essence", "sheet mask", "glass skin"],
            ["#kbeauty", "#glassskin"],
        ),
    ],
    "haircare": [
        (
            "curly",
            ["curly girl method", "curl cream", "diffuser", "defined curls"],
            ["#curlygirlmethod", "#curlcream"],
        ),
        (
            "color",
            ["hair color", "blonde toner", "copper hair", "root touch up"],
            ["#haircolor", "#blondehair"],
        ),
        ("barber", ["barber", "skin fade", "beard trim", "clipper"], ["#barberlife", "#skinfade"]),
    ],
    "cooking": [
        (
            "mealprep",
            ["meal prep", "batch cooking", "lunch boxes", "high protein meals"],
            ["#mealprep", "#batchcooking"],
        ),
        ("bbq", ["bbq", "smoker", "brisket", "charcoal grill"], ["#bbqlife", "#brisket"]),
        (
            "pasta",
            ["fresh pasta", "handmade pasta", "ravioli", "carbonara"],
            ["#freshpasta", "#pastamaking"],
        ),
    ],
    "baking": [
        (
            "bread",
            ["sourdough loaf", "crumb shot", "levain", "bread scoring"],
            ["#sourdoughbread", "#crumbshot"],
        ),
        (
            "cakes",
            ["layer cake", "buttercream", "cake decorating", "piping"],
            ["#cakedecorating", "#buttercream"],
        ),
        (
            "glutenfree",
            ["gluten free", "almond flour", "coeliac", "gf bakes"],
            ["#glutenfreebaking", "#coeliac"],
        ),
    ],
    "vegan": [
        (
            "veganprotein",
            ["vegan protein", "seitan", "plant gains", "high protein vegan"],
            ["#veganprotein", "#plantgains"],
        ),
        (
            "vegandesserts",
            ["vegan dessert", "dairy free cake", "raw cake", "vegan brownies"],
            ["#vegandessert", "#vegancake"],
        ),
        (
            "budgetvegan",
            ["budget vegan", "cheap eats", "pantry meals", "one pot"],
            ["#budgetvegan", "#cheapeats"],
        ),
    ],
    "coffee": [
        (
            "homebarista",
            ["home barista", "espresso machine", "dialing in", "puck prep"],
            ["#homebarista", "#espressoathome"],
        ),
        ("filter", ["v60", "filter coffee", "chemex", "light roast"], ["#v60", "#filtercoffee"]),
        (
            "cafes",
            ["cafe hopping", "coffee shop", "flat white", "brunch spot"],
            ["#cafehopping", "#coffeeshopvibes"],
        ),
    ],
    "travel": [
        (
            "luxury",
            ["luxury hotel", "infinity pool", "suite", "villa"],
            ["#luxurytravel", "#luxuryhotel"],
        ),
        (
            "budget",
            ["budget travel", "hostel", "cheap flights", "interrail"],
            ["#budgettravel", "#interrail"],
        ),
        (
            "cityguides",
            ["city guide", "hidden gems", "where to eat", "weekend in"],
            ["#cityguide", "#hiddengems"],
        ),
    ],
    "parenting": [
        (
            "baby",
            ["baby led weaning", "nap schedule", "nursery ideas", "babywearing"],
            ["#babyledweaning", "#babywearing"],
        ),
        (
            "toddler",
            ["toddler activities", "sensory play", "tantrums", "play ideas"],
            ["#toddleractivities", "#sensoryplay"],
        ),
        (
            "schoolage",
            ["homework", "school run", "lunchbox ideas", "after school"],
            ["#schoolrun", "#lunchboxideas"],
        ),
    ],
    "pets": [
        (
            "dogtraining",
            ["dog training", "recall", "loose lead", "puppy class"],
            ["#dogtraining", "#puppytraining"],
        ),
        ("cats", ["cat tree", "indoor cat", "cat toys", "purring"], ["#catlife", "#indoorcat"]),
        (
            "petfood",
            ["raw feeding", "dog food", "kibble", "grain free"],
            ["#rawfeeding", "#dogfood"],
        ),
    ],
    "interior": [
        (
            "smallspace",
            ["small space", "studio flat", "storage hack", "rental friendly"],
            ["#smallspaceliving", "#rentalfriendly"],
        ),
        (
            "maximalist",
            ["maximalist", "gallery wall", "bold colour", "pattern clash"],
            ["#maximalism", "#gallerywall"],
        ),
        (
            "renovation",
            ["renovation", "before and after", "tiling", "kitchen reno"],
            ["#renovationjourney", "#beforeandafter"],
        ),
    ],
    "gardening": [
        (
            "houseplants",
            ["houseplants", "monstera", "repotting", "plant shelf"],
            ["#houseplants", "#plantshelf"],
        ),
        (
            "veg",
            ["veg patch", "grow your own", "allotment harvest", "seedlings"],
            ["#vegpatch", "#allotmentlife"],
        ),
        (
            "flowers",
            ["cut flowers", "dahlias", "cottage garden", "sweet peas"],
            ["#dahlias", "#cottagegarden"],
        ),
    ],
    "diy_crafts": [
        (
            "knit",
            ["knitting pattern", "chunky knit", "cast on", "sweater knit"],
            ["#knittersofinstagram", "#knitpattern"],
        ),
        ("pottery", ["pottery", "wheel throwing", "glaze", "ceramics"], ["#pottery", "#ceramics"]),
        (
            "woodwork",
            ["woodworking", "dovetail", "chisel", "live edge"],
            ["#woodworking", "#woodworker"],
        ),
    ],
    "tech": [
        (
            "phones",
            ["phone review", "camera test", "flagship", "battery life"],
            ["#phonereview", "#flagshipphone"],
        ),
        (
            "desk",
            ["desk setup", "mechanical keyboard", "monitor arm", "cable management"],
            ["#desksetup", "#mechanicalkeyboard"],
        ),
        (
            "smarthome",
            ["smart home", "home automation", "smart speaker", "robot vacuum"],
            ["#smarthome", "#homeautomation"],
        ),
    ],
    "gaming": [
        (
            "fps",
            ["fps", "aim training", "headshot", "ranked clips"],
            ["#fpsgaming", "#aimtraining"],
        ),
        (
            "cozy",
            ["cozy games", "stardew", "farming sim", "switch lite"],
            ["#cozygames", "#cozygamer"],
        ),
        ("retro", ["retro gaming", "crt", "cartridge", "snes"], ["#retrogaming", "#retrogamer"]),
    ],
    "photography": [
        (
            "film",
            ["film photography", "35mm film", "portra", "darkroom"],
            ["#shootfilm", "#believeinfilm"],
        ),
        (
            "street",
            ["street photography", "candid", "city light", "decisive moment"],
            ["#streetphotography", "#streetshot"],
        ),
        (
            "wildlife",
            ["wildlife", "birding", "telephoto", "hide"],
            ["#wildlifephotography", "#birdphotography"],
        ),
    ],
    "music": [
        (
            "guitar",
            ["guitar cover", "riff", "pedalboard", "fingerstyle"],
            ["#guitarcover", "#pedalboard"],
        ),
        (
            "production",
            ["beat making", "daw", "synth", "mixing"],
            ["#beatmaker", "#musicproduction"],
        ),
        (
            "vocals",
            ["vocal cover", "singing lesson", "harmonies", "acapella"],
            ["#vocalcover", "#singingcover"],
        ),
    ],
    "books": [
        (
            "romance",
            ["romance books", "enemies to lovers", "romantasy", "spicy read"],
            ["#romancebooks", "#romantasy"],
        ),
        (
            "thriller",
            ["thriller", "crime fiction", "plot twist", "whodunnit"],
            ["#thrillerbooks", "#crimefiction"],
        ),
        (
            "classics",
            ["classics", "literary fiction", "annotating", "penguin classics"],
            ["#classicbooks", "#annotatingbooks"],
        ),
    ],
    "personal_finance": [
        (
            "investing",
            ["index investing", "dividends", "portfolio", "isa"],
            ["#indexinvesting", "#dividends"],
        ),
        (
            "debtfree",
            ["debt free", "payoff", "snowball", "no spend"],
            ["#debtfreejourney", "#nospend"],
        ),
        (
            "fire",
            ["financial independence", "early retirement", "savings rate", "lean fire"],
            ["#financialindependence", "#earlyretirement"],
        ),
    ],
    "sustainability": [
        (
            "zerowastehome",
            ["zero waste home", "refill shop", "beeswax wraps", "compost bin"],
            ["#zerowastehome", "#refillshop"],
        ),
        (
            "ethicalfashion",
            ["ethical fashion", "capsule wardrobe", "mending", "secondhand first"],
            ["#ethicalfashion", "#visiblemending"],
        ),
        (
            "ecotravel",
            ["eco travel", "train travel", "flight free", "slow travel"],
            ["#flightfree", "#slowtravel"],
        ),
    ],
}
SUBTOPIC_FRAMES: Final[list[str]] = [
    "{w}",
    "all about {w}",
    "{w} of the day",
    "obsessed with {w}",
    "my {w} edit",
    "{w} update",
]

# Trends: a topic whose share of posts rises over a season, started by a few early creators of
# one sub-topic and then taken up by others of the niche. (tag, words, niche, sub-topic, start,
# end); dates are ISO and lie inside the world's year before 2026-10-31.
TRENDS: Final[list[tuple[str, list[str], str, str, str, str]]] = [
    (
        "#anklets",
        ["anklets", "anklet stack", "gold anklet", "beaded anklet", "layered anklets"],
        "fashion",
        "jewellery",
        "2026-04-01",
        "2026-08-01",
    ),
    (
        "#wallpilates",
        ["wall pilates", "wall pilates routine", "28 day wall pilates"],
        "home_workout",
        "pilates",
        "2026-01-05",
        "2026-04-05",
    ),
    (
        "#matchalatte",
        ["matcha latte", "ceremonial matcha", "iced matcha", "matcha whisk"],
        "coffee",
        "cafes",
        "2026-05-01",
        "2026-08-30",
    ),
    (
        "#slugging",
        ["slugging", "overnight slugging", "occlusive layer"],
        "skincare",
        "kbeauty",
        "2025-12-01",
        "2026-03-01",
    ),
    (
        "#hyrox",
        ["hyrox", "hyrox training", "sled push race", "hyrox doubles"],
        "fitness",
        "functional",
        "2026-02-01",
        "2026-05-15",
    ),
    (
        "#cozygamingsetup",
        ["cozy setup", "pastel desk", "cozy gaming corner"],
        "gaming",
        "cozy",
        "2026-07-01",
        "2026-10-15",
    ),
]
