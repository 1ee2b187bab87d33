"""The niche taxonomy: 30 niche ids shared with the world generator, each with a description and
seed terms. A niche's prototype vector is the embedding of its description + seed terms; creators
are assigned by similarity to the prototypes (see :mod:`closeknit.match.niche`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Niche:
    id: str
    label: str
    description: str
    terms: tuple[str, ...]

    def text(self) -> str:
        """Prototype text fed to the embedder."""
        return f"{self.label}: {self.description}. " + " ".join(
            f"{t} #{t.replace(' ', '')}" for t in self.terms
        )


def _n(id_: str, label: str, desc: str, terms: str) -> Niche:
    return Niche(id_, label, desc, tuple(t.strip() for t in terms.split(",") if t.strip()))


NICHES: tuple[Niche, ...] = (
    _n(
        "fitness",
        "Fitness",
        "gym training, strength workouts, bodybuilding and healthy lifestyle",
        "fitness, gym, workout, gains, strength training, bodybuilding, protein, muscle, lifting, "
        "personal trainer, fitfam, deadlift",
    ),
    _n(
        "home_workout",
        "Home workout",
        "exercising at home without a gym: bodyweight, HIIT, "
        "resistance bands, living-room routines",
        "home workout, hiit, bodyweight, resistance bands, no equipment, at home, living room, "
        "dumbbells, pilates mat, abs, burpees, workout from home",
    ),
    _n(
        "running",
        "Running",
        "running, jogging, marathons, trail runs and race training",
        "running, run, marathon, half marathon, 5k, 10k, trail running, runner, pace, strava, "
        "running shoes, parkrun",
    ),
    _n(
        "yoga",
        "Yoga",
        "yoga practice, meditation, mindfulness and flexibility",
        "yoga, asana, vinyasa, meditation, mindfulness, namaste, yogi, stretching, breathwork, "
        "yoga mat, flow, pranayama",
    ),
    _n(
        "cycling",
        "Cycling",
        "road cycling, mountain biking and bike commuting",
        "cycling, bike, road bike, mtb, mountain bike, peloton, cyclist, gravel, bikepacking, "
        "tour de france, velo, ride",
    ),
    _n(
        "football",
        "Football",
        "football (soccer): matches, clubs, skills and fan culture",
        "football, soccer, match day, goal, premier league, champions league, striker, "
        "football boots, freestyle football, club, stadium, fc",
    ),
    _n(
        "basketball",
        "Basketball",
        "basketball games, hoops, sneakers on court and the NBA",
        "basketball, nba, hoops, dunk, ballislife, court, three pointer, streetball, "
        "basketball shoes, crossover, layup, wnba",
    ),
    _n(
        "outdoor",
        "Outdoor",
        "hiking, camping, climbing and adventures in nature",
        "hiking, camping, outdoors, mountains, climbing, trekking, backpacking, nature, trail, "
        "wild camping, adventure, national park",
    ),
    _n(
        "fashion",
        "Fashion",
        "clothing, outfits, style inspiration and fashion brands",
        "fashion, outfit, ootd, style, dress, lookbook, fashionista, designer, wardrobe, "
        "what i wore, trend, accessories",
    ),
    _n(
        "streetwear",
        "Streetwear",
        "streetwear, sneakers, hype drops and urban fashion",
        "streetwear, sneakers, hypebeast, sneakerhead, drop, hoodie, kicks, jordans, supreme, "
        "urban style, cap, oversized",
    ),
    _n(
        "beauty",
        "Beauty",
        "makeup looks, cosmetics, nails and beauty tutorials",
        "makeup, beauty, lipstick, eyeshadow, foundation, mua, cosmetics, nails, contour, "
        "makeup tutorial, lashes, glam",
    ),
    _n(
        "skincare",
        "Skincare",
        "skin care routines, serums, SPF and dermatology tips",
        "skincare, skin care, serum, moisturizer, spf, sunscreen, retinol, acne, glowing skin, "
        "cleanser, hyaluronic acid, routine",
    ),
    _n(
        "haircare",
        "Haircare",
        "hair care, hairstyles, curls, braids and hair products",
        "haircare, hair, hairstyle, curls, shampoo, conditioner, braids, hair growth, "
        "hair mask, blowout, locs, haircut",
    ),
    _n(
        "cooking",
        "Cooking",
        "home cooking, recipes, dinners and food",
        "cooking, recipe, dinner, food, homemade, chef, pasta, kitchen, meal prep, foodie, "
        "lunch, delicious",
    ),
    _n(
        "baking",
        "Baking",
        "baking bread, cakes, cookies, pastries and desserts",
        "baking, bake, cake, bread, sourdough, cookies, pastry, dessert, cupcakes, oven, "
        "croissant, frosting",
    ),
    _n(
        "vegan",
        "Vegan",
        "plant-based vegan food and cruelty-free living",
        "vegan, plant based, plantbased, dairy free, cruelty free, tofu, vegan recipes, "
        "meat free, veggie, govegan, oat milk, lentils",
    ),
    _n(
        "coffee",
        "Coffee",
        "coffee, espresso, latte art, cafes and home brewing",
        "coffee, espresso, latte, cappuccino, barista, cafe, latte art, pour over, "
        "coffee beans, flat white, brew, coffee shop",
    ),
    _n(
        "travel",
        "Travel",
        "travel destinations, trips, hotels and wanderlust",
        "travel, wanderlust, trip, vacation, holiday, destination, hotel, beach, passport, "
        "explore, travel blogger, city break",
    ),
    _n(
        "parenting",
        "Parenting",
        "parenting, motherhood, babies, kids and family life",
        "parenting, mom, mum, dad, baby, kids, toddler, motherhood, family, newborn, "
        "mom life, pregnancy",
    ),
    _n(
        "pets",
        "Pets",
        "dogs, cats and other pets",
        "dog, cat, puppy, kitten, pets, dogsofinstagram, catsofinstagram, pet care, "
        "dog walk, pet food, rescue dog, paws",
    ),
    _n(
        "interior",
        "Interior",
        "interior design, home decor and apartment makeovers",
        "interior, interior design, home decor, living room, decor, scandi, apartment, "
        "furniture, home styling, cozy home, renovation, shelfie",
    ),
    _n(
        "gardening",
        "Gardening",
        "gardening, houseplants, growing vegetables and flowers",
        "gardening, garden, plants, houseplants, grow your own, flowers, allotment, seeds, "
        "compost, plant parent, vegetable garden, succulents",
    ),
    _n(
        "diy_crafts",
        "DIY & crafts",
        "DIY projects, crafts, knitting, sewing and handmade",
        "diy, crafts, handmade, knitting, crochet, sewing, upcycling, woodworking, "
        "craft project, embroidery, pottery, maker",
    ),
    _n(
        "tech",
        "Tech",
        "gadgets, smartphones, laptops, apps and tech reviews",
        "tech, gadgets, smartphone, iphone, android, laptop, unboxing, review, setup, "
        "headphones, software, technology",
    ),
    _n(
        "gaming",
        "Gaming",
        "video games, esports, streaming and gaming setups",
        "gaming, gamer, video games, esports, twitch, playstation, xbox, nintendo, "
        "fortnite, pc gaming, streamer, console",
    ),
    _n(
        "photography",
        "Photography",
        "photography, cameras, editing and photo tips",
        "photography, photographer, camera, lens, portrait, landscape photography, "
        "lightroom, canon, sony, golden hour, film photography, street photography",
    ),
    _n(
        "music",
        "Music",
        "music making, singing, instruments, concerts and DJs",
        "music, musician, singer, guitar, piano, song, concert, producer, dj, cover, "
        "new single, band",
    ),
    _n(
        "books",
        "Books",
        "reading, book reviews and bookstagram",
        "books, reading, bookstagram, novel, book review, booklover, library, author, "
        "tbr, book club, fantasy books, reader",
    ),
    _n(
        "personal_finance",
        "Personal finance",
        "saving, budgeting, investing and money tips",
        "personal finance, money, saving, budget, investing, stocks, financial freedom, "
        "debt free, index funds, side hustle, frugal, retirement",
    ),
    _n(
        "sustainability",
        "Sustainability",
        "sustainable, zero-waste and eco-friendly living",
        "sustainability, sustainable, zero waste, eco friendly, recycle, climate, "
        "slow fashion, thrifted, plastic free, reuse, green living, secondhand",
    ),
)

NICHE_IDS: tuple[str, ...] = tuple(n.id for n in NICHES)
BY_ID: dict[str, Niche] = {n.id: n for n in NICHES}

# Kim et al. (WWW 2020) Instagram categories -> our niches (a category is "right" when the
# assigned niche is one of its set); "other" has no mapping and is left out of the check.
KIM2020_TO_NICHES: dict[str, frozenset[str]] = {
    "fashion": frozenset({"fashion", "streetwear"}),
    "beauty": frozenset({"beauty", "skincare", "haircare"}),
    "fitness": frozenset({"fitness", "home_workout", "running", "yoga", "cycling"}),
    "food": frozenset({"cooking", "baking", "vegan", "coffee"}),
    "travel": frozenset({"travel", "outdoor"}),
    "family": frozenset({"parenting"}),
    "interior": frozenset({"interior", "gardening", "diy_crafts"}),
    "pet": frozenset({"pets"}),
}
