"""Deterministic synthetic seed files, shaped like the real news corpora but with invented text.

`generate(n, out_dir, seed=...)` writes exactly `n` seed files (YAML front matter + a short body).
News, ~93% of them, go to `out_dir/news/YYYY/MM/YYYY-MM-DD-<slug>-<6 hex>.md`, so a million files
never share one directory; the other kinds an aggregator's repository keeps beside its news go to
`newsletters/ai-every-day-YYYY-MM-DD.html`, `learning/videos/`, `learning/courses/`,
`learning/books/`, `projects/` and `people/` (`<slug>-<6 hex>.md`). One `random.Random(seed)`
drives everything in a fixed order, so the same arguments give byte-identical files. Only the
stdlib is used and the YAML is formatted by hand (a YAML dump per file would be ~20x slower);
strings are YAML double-quoted scalars with `\\` and `"` escaped.

Distributions, and why (the real files are the model; every word here is invented):

* Stories. Articles come in stories of 1 (60%), 2-4 (30%) or 5-12 (10%) articles, published
  within hours or days of each other (exponential, mean 36 h) and mostly by different providers.
  A related item points at a story-mate's webUrl with probability 0.45 (while mates are left),
  which makes ~30% of all related links resolve inside the corpus and form clusters, as they do
  in real feeds. The rest point at invented outside URLs published within a day or so.
* Dates: 2019-01-01..2024-12-31 UTC, density growing over time (`u ** 0.7`, AI news grows),
  fewer weekend stories, hours centred on the UTC afternoon, seconds always `:00`.
* Providers: 60 invented outlets with Zipf popularity (weight 1/rank), some on subdomains
  (`blogs.quillfeather.io`), some with a `www.` host, two mostly posting videos.
* Topics: 40 topics, 1-5 per article, Zipf; "AI" in ~85% of files and listed last, like the
  real files; a story's members share its primary topic.
* quality: lognormal (median ~67), re-drawn above 150. heat: -1 ("unknown") in ~30% of files,
  absent in a few more, equal to quality in 45% of the rest (as in the real files), otherwise
  lognormal capped at 800. 5% of files have no quality/heat/published at all (newer real files).
* images: 0 (20%), 1 (70%) or 2 (10%), with the common og:image sizes (1200x630, 1024x576...).
  related: 0-5, 40% none.
* URL noise: ~8% of webUrls, half of the internal related links and some originalUrls carry
  tracking parameters (`utm_*`, `hss_channel`, `fbclid`, and in two cases of five `_mc`, `cid`,
  `elq_cid`, `mod=rss`, `mid`, `sf12345678=1` or `ocid`), `#comments`, a toggled trailing slash
  or an upper-case host, so canonicalisation matters. Another 15% of the internal related links
  spell the story-mate's URL another way that is still the same page: `http://`, with or without
  `www.`, an AMP form (`/amp` after the path, an `amp.` host, `?amp`, `?outputType=amp`) or a
  `#!/x` fragment. ~1% of files are syndication copies of another article by a different
  provider: every other one keeps the article's exact webUrl, title and date (a duplicate file);
  the rest are wire copies, the same title under the copying outlet's own URL and published 95
  minutes later (a syndication group). ~0.5% are the same outlet's article again under one of
  those variant spellings (a duplicate file that only canonicalisation finds).
* URLs that disagree: in ~1% of news files webUrl is another outlet's different article while
  originalUrl is the article's own (title and provider belong to originalUrl), as when the
  aggregator linked the wrong page. 12% of files and ~10% of related items give an ampWebUrl.
* Bylines: ~30% of news files list `provider.authors` (`- name: ...`, 1 author in 70%, 2 or 3).
* Withdrawn: ~0.5% of news files say `removed: true`.
* Other kinds (real aggregator repositories keep them beside the news; none says `category`):
  the aggregator's daily newsletter, one per ~150 news files and at most one a day, on a day with
  news (`type: article`, no provider, a webUrl on everyday.example, the title `A.I. Every Day
  (YYYY-MM-DD)`, that day's best headlines joined by ` / ` as the excerpt, an HTML body that
  starts with `<html>`); YouTube videos, 3% (`type: video`, `provider.domain: youtube.com` under
  one of 12 channel names, `length: PT12M3S`); courses and books, 0.5% each (`type: course` with
  a price and no date, `type: book` with authors); code projects, 0.5% (`type: code`, a title,
  only an originalUrl on github.com); and profile pages, 0.2% (`name:`, no title: not articles,
  they must be quarantined).
* Oddities the real files show: date-only publishedDateTime (~2%), `topics` as a scalar (~1%),
  quality as a quoted string (~1%), a topic with surrounding spaces or listed twice (~1%), an
  excerpt ending in an escaped CR LF (`"...text\\r\\n"`, ~1%).
  Titles and names include non-ASCII (Zürich, café, — and ’); a few strings carry `"` or `\\`.
"""

from __future__ import annotations

import base64
import os
import random
import re
import unicodedata
from bisect import bisect
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from functools import lru_cache
from html import escape
from itertools import accumulate
from pathlib import Path
from string import Formatter
from typing import NamedTuple, TypeVar

T = TypeVar("T")

_START = date(2019, 1, 1)
_DAYS = [(_START + timedelta(d)).isoformat() for d in range((date(2025, 1, 1) - _START).days)]
_TOTAL_MIN = len(_DAYS) * 1440

# name | domain | host has www. | url style (0 dated/, 1 news-id, 2 .html, 3 section, 4 ?id=, 5 video)
_PROVIDERS = [tuple(p.split("|")) for p in (
    "Northwind Tribune|northwindtribune.com|w|0;The Circuit Ledger|circuitledger.com|w|1;"
    "Datapoint Daily|datapointdaily.com||0;Silicon Harbor News|siliconharbor.news||3;"
    "Meridian Tech Review|meridiantechreview.com|w|2;Quillfeather Labs Blog|blogs.quillfeather.io||0;"
    "AlgoWire|algowire.net||1;Bright Signal|brightsignal.co|w|3;Neural Notes|neuralnotes.org||0;"
    "The Inference|theinference.com|w|1;Harbourview Herald|harbourviewherald.co.uk|w|2;"
    "Cobalt Business Journal|cobaltbusinessjournal.com|w|4;Tensor Times|tensortimes.com||3;"
    "Open Lattice Research|research.openlattice.org||2;Helix Health Report|helixhealthreport.com|w|1;"
    "MedTech Pulse|medtechpulse.com||0;Robotics Roundup|roboticsroundup.com|w|0;"
    "Autonomy Weekly|autonomyweekly.com||3;The Gradient Post|gradientpost.com|w|1;"
    "Vector Street|vectorstreet.io||0;Atlas Video|video.atlasmedia.tv||5;"
    "Lakeshore Chronicle|lakeshorechronicle.com|w|4;Pinecrest Gazette|pinecrestgazette.com|w|2;"
    "Café Numérique|cafenumerique.fr|w|0;Zürcher Techblatt|techblatt.ch|w|3;"
    "São Paulo Digital|spdigital.com.br||1;Kestrel Insights|insights.kestrelanalytics.com||0;"
    "Ironbridge Capital Notes|ironbridgecapital.com|w|2;Fintech Frontier|fintechfrontier.com||1;"
    "Edge Compute Journal|edgecomputejournal.com|w|0;Cloudline Magazine|cloudlinemag.com|w|3;"
    "The Data Desk|thedatadesk.org||0;Sparrow & Finch|sparrowandfinch.com|w|2;"
    "Orbital Review|orbitalreview.space||1;PolicyLab Dispatch|dispatch.policylab.org||0;"
    "Civic Code|civiccode.org|w|3;Lumen Science News|lumenscience.org|w|1;The Bench|thebench.dev||0;"
    "GPU Gazette|gpugazette.com||1;Chipmaker's Digest|chipmakersdigest.com|w|2;"
    "Retail Brain|retailbrain.com|w|3;AgriSense Today|agrisensetoday.com||0;"
    "Legal Algorithm|legalalgorithm.com|w|1;EduTech Observer|edutechobserver.com|w|0;"
    "Security Sentinel|securitysentinel.net||4;Climate Compute|climatecompute.org||0;"
    "Streamcast AI|streamcast.tv|w|5;Startup Lantern|startuplantern.vc||1;"
    "The Model Card|themodelcard.ai||0;Bayes Street Journal|bayesstreet.com|w|2;"
    "Foundry Voices|voices.foundryworks.com||0;Kyoto Tech Wire|kyototechwire.jp|w|1;"
    "Nordic AI Review|nordicaireview.se||3;Bangalore Bytes|bangalorebytes.in|w|0;"
    "Sydney Signal|sydneysignal.com.au|w|2;Maple Leaf Tech|mapleleaftech.ca||1;"
    "Paperstack Preprints|paperstack.org||4;The Weekly Matrix|weeklymatrix.com|w|0;"
    "Copperline Newsroom|newsroom.copperline.com||3;Greenfield Enterprise IT|greenfieldeit.com|w|1"
).split(";")]
_HOSTS = [("www." + d if w else d) for _, d, w, _s in _PROVIDERS]
_TOPICS = """AI|Machine Learning|Deep Learning|Computer Vision|NLP|Generative AI|Large Language Models|\
AI in Healthcare|Robotics|Autonomous Vehicles|AI in Finance|AI Ethics|AI Regulation|AI Chips|Edge AI|MLOps|\
Data Science|Reinforcement Learning|Speech Recognition|Facial Recognition|AI in Retail|AI in Education|\
AI in Agriculture|AI in Security|AI Research|AI Startups|Conversational AI|Recommender Systems|\
AI in Manufacturing|Drones|Quantum Computing|Cloud AI|Open Source AI|AI in Climate|AI in Law|\
AI in Marketing|Smart Cities|Explainable AI|Synthetic Data|AI Hardware""".split("|")
_IMAGE_SIZES = [(1200, 630), (1024, 576), (1920, 1080), (800, 450), (1200, 800), (640, 360),
                (1024, 682), (1600, 900), (900, 300), (2048, 1152), (1280, 720), (600, 400)]

_W = {k: v.split("|") for k, v in {
    "co": "Quillfeather|Brightmoor AI|Tessellate|Nimbus Forge|Halcyon Robotics|Corvid Systems|"
        "Lumina Health|Ardent Labs|Pebblestone|Skylark Analytics|Obsidian Bio|Fernhill Motors|Kiteline|"
        "Marrow AI|Sable Dynamics|Juniper Vision|Copperhead Data|Bluefin Robotics|Heliograph|Wren & Ash|"
        "Tidewater Bank|Greywell Insurance|Orchard Retail|Saltmarsh Agritech|Vellum Legal|Cinder Security|"
        "Parallax Chips|Quarry Cloud|Eddystone Energy|Harrow Logistics|Mosaic Learning|Pinnacle Pharma|"
        "Stratus Drones|Ember Speech|Lodestar Maps|Nettle Health|Rivermark Media|Thistle Finance|"
        "Umbra Imaging|Yarrow Labs|Café Cortex|Élan Robotics|Fjördlab|Mirador Systems|Bramble Bio|"
        "Tallowin|Osprey Compute|Zephyrine",
    "prod": "language model|vision system|chatbot|recommendation engine|fraud detector|robot arm|"
        "delivery drone|diagnostic tool|AI chip|voice assistant|translation model|coding assistant|"
        "forecasting platform|data-labeling service|self-driving stack|medical imaging model|"
        "crop-monitoring system|search engine|synthetic data tool|edge accelerator|warehouse robot|"
        "document reader|protein model|tutoring app",
    "adj": "open-source|multimodal|low-power|privacy-preserving|real-time|explainable|on-device|"
        "generative|autonomous|smaller|cheaper|faster|enterprise-grade|energy-efficient|self-supervised|"
        "experimental",
    "sector": "hospitals|banks|farmers|retailers|insurers|schools|law firms|factories|newsrooms|"
        "city planners|airlines|radiologists|call centers|warehouses|pharma labs|utilities|game studios|"
        "shipping firms|small businesses|public transit",
    "task": "claims processing|customer support|code review|radiology triage|inventory planning|"
        "loan approvals|crop forecasting|contract review|fraud detection|translation|route planning|"
        "quality inspection",
    "thing": "early-stage tumors|crop disease|counterfeit goods|deepfakes|pipeline leaks|wildfires|"
        "card fraud|defective parts|bird migrations|power outages",
    "city": "Zürich|München|São Paulo|Kraków|Montréal|Malmö|Reykjavík|Bogotá|Düsseldorf|Córdoba|Boston|"
        "Austin|Toronto|London|Berlin|Bangalore|Singapore|Nairobi|Seoul|Lagos|Lyon|Tel Aviv|Dublin|"
        "Helsinki|Oslo|Denver|Pittsburgh|Shenzhen|Tokyo|Sydney",
    "person": "Ada Brennan|Tomás Ferreira|Ingrid Solberg|Kwame Mensah|Priya Raman|Léa Martin|Jonas Weiß|"
        "Mei Tanaka|Omar Haddad|Chloé Dubois|Rafael Okafor|Hanna Lindqvist|Dev Malhotra|Sofia Rossi",
}.items()}
_TITLES = [
    "{co} unveils {adj} {prod} for {sector}", "{co} raises ${n} million to bring its {prod} to {sector}",
    "How {co} is using a {prod} to reshape {task}", "{city} startup {co} bets on a {adj} {prod}",
    "Why {sector} are betting on AI for {task} — and what could go wrong",
    "{co}’s new {prod} promises faster {task}",
    "Regulators in {city} take a closer look at {adj} {prod}s", "{co} and {co2} team up on a {adj} {prod}",
    "Inside {co}’s plan to automate {task}", "{n} ways a {prod} will change {task} for {sector}",
    "Researchers in {city} train a {prod} to spot {thing}", "Is a \"{adj}\" {prod} ready for {sector}?",
    "{co} opens an AI lab in {city}", "{co} cuts {task} costs by {pct}% with a {adj} {prod}",
    "{person} on building a {prod} that {sector} can trust", "{co} acquires {co2} to speed up {task}",
]
_SENTENCES = [
    "{co} said the {prod} had been tested with {n} {sector} over the past year.",
    "The company expects the {adj} {prod} to reach customers in {city} later this year.",
    "Analysts at {co2} called the move \"a significant step\" for {sector}.",
    "Critics warn that a {prod} can still fail in ways that are hard to predict.",
    "According to the announcement, the system cut time spent on {task} by {pct} percent.",
    "{person}, chief scientist at {co}, said the team focused on {adj} design from the start.",
    "The funding round was led by {co2}, with participation from existing investors.",
    "Early results suggest the approach works best when paired with human review.",
    "Regulators in {city} have asked for more detail on how the training data was collected.",
    "The work was published this week, and the company’s code is available to researchers.",
    "Pilots are under way in {city}, where {sector} have used it for {task} since spring.",
    "Some engineers call it the AI\\ML gap — the distance between a demo and a product.",
    "Pricing was not disclosed.", "The startup, founded in {city}, now employs about {n} people.",
    "{person} described the {prod} as \"boring in the best way\" during a briefing.",
    "Spotting {thing} early remains the hardest part, the researchers said.",
]
_SECTIONS = ["tech", "business", "science", "ai", "innovation"]
# {d} is 18 random digits; the older utm/hss/fbclid kinds are listed twice, as they are the most common
_TRACKING = ["?utm_source=twitter&utm_medium=social", "?hss_channel=tw-{d}", "?fbclid=IwAR{d}",
             "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly", "?utm_source=feedburner"] * 2 + [
             "?_mc=RSS.{d:.6}", "?cid=rss-{d:.5}", "?elq_cid={d:.7}", "?mod=rss", "?mid={d:.9}", "?sf{d:.8}=1",
             "?ocid=msedgntp"]
# the hosts that take a "www." in front (not subdomains like blogs.quillfeather.io)
_BARE = [d.count(".") == 1 or d.endswith((".co.uk", ".com.br", ".com.au")) for _, d, _w, _s in _PROVIDERS]
_FIRST = ("Ada|Tomás|Ingrid|Kwame|Priya|Léa|Jonas|Mei|Omar|Chloé|Rafael|Hanna|Dev|Sofia|Grace|Mateo|Aiko|"
          "Nikolai|Fatima|Liam|Zoë|Arjun|Elena|Samuel|Yusuf|Noor|Bruno|Astrid|Kofi|Inês").split("|")
_LAST = ("Brennan|Ferreira|Solberg|Mensah|Raman|Martin|Weiß|Tanaka|Haddad|Dubois|Okafor|Lindqvist|Malhotra|"
         "Rossi|Kowalski|Nakamura|Oyelaran|Fischer|Castillo|O’Neill|Petrov|Haugen|Abernathy|Delacroix|Sørensen|"
         "Varga|Quintero|Achterberg|Park|Mbeki").split("|")
_CHANNELS = ("Two Minute Tensors|Gradient Garage|The Applied Lab|Neural Nook|Byte-Sized ML|Lattice Talks|"
             "Model Mondays|Café Compute|Sigma Sessions|The Weights Room|Deep Dive Daily|Kaito Builds").split("|")
_COURSE_SITES = [("Courseline", "courseline.org"), ("Learnwell", "learnwell.com"), ("Skillharbor", "skillharbor.io"),
                 ("EdVista", "edvista.org")]
_BOOK_SHOPS = [("Bookmeadow", "bookmeadow.com"), ("Larkspur Press", "larkspurpress.com"),
               ("Paperkite Books", "paperkite.co.uk")]
_LEVELS = ("Beginner", "Intermediate", "Advanced")
_LANGUAGES = ("Python", "C++", "Rust", "Jupyter Notebook", "TypeScript", "Go", "CUDA", "Julia")
_LETTER_URL = "https://everyday.example/ai/newsletter/ai-every-day-{}/"
_PROV_CUM = list(accumulate(1 / rank for rank in range(1, len(_PROVIDERS) + 1)))  # Zipf, s = 1
_CHANNEL_CUM = list(accumulate(1 / rank for rank in range(1, len(_CHANNELS) + 1)))
_TOPIC_CUM = list(accumulate(1 / rank**0.9 for rank in range(1, len(_TOPICS))))  # all but "AI"
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_AN = re.compile(r'\b([Aa]) ("?[AEIOUaeiou])')  # "a open-source" -> "an open-source"


def _pick(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]  # cheaper than rng.choice, as deterministic


Template = tuple[str, tuple[str, ...]]  # the text, and the word lists it draws from


def _template(text: str) -> Template:
    return text, tuple(f for _, f, _, _ in Formatter().parse(text) if f and f in _W)


def _fill(template: Template, rng: random.Random) -> str:
    """The template with invented words drawn for the fields it uses; "a" fixed to "an" before vowels."""
    text, fields = template
    values = {f: _pick(rng, _W[f]) for f in fields}
    values["co2"] = _pick(rng, _W["co"]) if "{co2}" in text else ""
    n = 2 + int(rng.random() * 398)
    return _AN.sub(r"\1n \2", text.format(n=n, pct=n % 85 + 5, **values))


_TITLES_T = [_template(t) for t in _TITLES]
_SENTENCES_T = [_template(t) for t in _SENTENCES]
_VIDEO_T = [_template(t) for t in (
    "{co} demo: a {adj} {prod} for {sector}", "How a {prod} works, explained in {n} minutes",
    "{person} on {adj} {prod}s | Full talk", "Can a {prod} spot {thing}? We tested it",
    "Building a {adj} {prod} from scratch (live)", "{task} with a {prod}: a walkthrough",
    "What {sector} get wrong about {task}", "{co}’s {prod}, tested in {city}")]
_COURSE_T = [_template(t) for t in (
    "Introduction to {adj} {prod}s", "AI for {sector}: {task} in practice", "Building a {prod} for {task}",
    "Deploying {adj} {prod}s", "Foundations of {task} with machine learning", "{adj} {prod}s for {sector}")]
_BOOK_T = [_template(t) for t in (
    "The {adj} Machine", "{prod}s in Practice", "Hands-On {adj} {prod}s", "AI for {sector}",
    "The {city} Papers: {task} and the Rise of AI", "Teaching a {prod} to See {thing}")]
_BLURB_T = [_template(t) for t in (
    "A {adj} {prod} for {task}.", "Train and serve a {prod} for {sector}.",
    "Tools for {task}, from {co} and the community.", "A small, {adj} {prod}, built in {city}.")]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def _sentence_pool() -> tuple[str, ...]:
    """4096 filled-in sentences (fixed, independent of the seed); files pick from it by index."""
    rng = random.Random(20240501)
    return tuple(_fill(_pick(rng, _SENTENCES_T), rng) for _ in range(4096))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (the texts hold no control characters)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _slug(title: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = _SLUG_DROP.sub("-", ascii_.replace("'", "")).strip("-")
    return slug if len(slug) <= 80 else slug[:80].rsplit("-", 1)[0]


def _ts(minute: int) -> str:
    hh, mm = divmod(minute % 1440, 60)
    return f"{_DAYS[minute // 1440]}T{hh:02d}:{mm:02d}:00Z"


class _Article(NamedTuple):
    minute: int  # published, in minutes since 2019-01-01T00:00Z
    prov: int
    title: str
    base: str  # the clean URL
    web: str  # the URL the file gives (sometimes noisy)
    quality: int
    topic: int  # the story's primary topic
    video: bool
    first: int  # the story's members are articles[first:first + size]
    size: int
    foreign: str  # when set, the file's webUrl: another outlet's page, not this article


# how a news file relates to its article (see `_Corpus.render`)
_OWN, _COPY, _WIRE, _VARIANT = range(4)


class _Corpus:
    """Phase 1 (constructor) lays out every article's skeleton and how many files of each kind
    there are; phase 2 (`files`) writes the text, in a fixed order."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.sentences = _sentence_pool()
        self.seen: set[str] = set()  # the articles' clean URLs (and the other kinds' URLs), kept unique
        self.n_people = round(n * 0.002)
        self.n_courses = self.n_books = self.n_code = round(n * 0.005)
        self.n_videos = round(n * 0.03)
        rest = n - self.n_people - 3 * self.n_courses - self.n_videos
        n_letters = round(rest / 151)  # one newsletter per ~150 news files
        self.n_copies, self.n_variants = round(n * 0.01), round(n * 0.005)
        originals = rest - n_letters - self.n_copies - self.n_variants
        self.articles: list[_Article] = []  # the originals; the other news files are rendered from them
        while len(self.articles) < originals:
            r = rng.random()  # story size: 1 (60%), 2-4 (30%), 5-12 (10%)
            size = 1 if r < 0.6 else rng.randint(2, 4) if r < 0.9 else rng.randint(5, 12)
            self._story(min(originals - len(self.articles), size))
        self.copies = [self._target() for _ in range(self.n_copies)]
        self.variants = [self._target() for _ in range(self.n_variants)]
        # One newsletter a day at most, on days that have news: its excerpt is that day's headlines,
        # so days with three or more come first. Should there be fewer days with news than
        # newsletters (a tiny corpus), videos fill the gap.
        per_day = Counter(a.minute // 1440 for a in self.articles)
        chosen: list[int] = []
        for busy in (True, False):
            days = sorted(d for d, count in per_day.items() if (count >= 3) == busy)
            chosen += rng.sample(days, min(n_letters - len(chosen), len(days)))
        chosen.sort()
        self.n_videos += n_letters - len(chosen)
        self.letters: dict[int, list[_Article]] = {day: [] for day in chosen}
        for art in self.articles:
            heads = self.letters.get(art.minute // 1440)
            if heads is not None:
                heads.append(art)

    def _target(self) -> int:
        """An original for a duplicate file to copy: not one whose webUrl is another outlet's page."""
        i = self.rng.randrange(len(self.articles))
        for _ in range(8):
            if not self.articles[i].foreign:
                break
            i = self.rng.randrange(len(self.articles))
        return i

    def _provider(self) -> int:
        return bisect(_PROV_CUM, self.rng.random() * _PROV_CUM[-1])

    def _day(self) -> int:
        rng = self.rng
        day = int(len(_DAYS) * rng.random() ** 0.7)
        if (day + 1) % 7 >= 5 and rng.random() < 0.45:  # quieter weekends (2019-01-01 was a Tuesday)
            day = int(len(_DAYS) * rng.random() ** 0.7)
        return day

    def _url(self, prov: int, minute: int, slug: str, aid: int, article: bool = False) -> str:
        host, day = _HOSTS[prov], _DAYS[minute // 1440]
        y, mo, d = day[:4], day[5:7], day[8:]
        url = (f"https://{host}/{y}/{mo}/{d}/{slug}/", f"https://{host}/news/{slug}-{aid}",
               f"https://{host}/articles/{y}/{mo}/{slug}.html", f"https://{host}/{_SECTIONS[aid % 5]}/{slug}",
               f"https://{host}/story.php?id={aid}", f"https://{host}/watch/{slug}-{aid}",
               )[int(_PROVIDERS[prov][3])]
        while url in self.seen:  # same outlet, same day, same headline: rare, but URLs must not clash
            url = url + "1" if "?" in url else url.replace(slug, slug + "-2", 1)
            slug += "-2"
        if article:
            self.seen.add(url)
        return url

    def _unique(self, url: str) -> str:
        """url, or url-2, url-2-2...: two courses (or books, projects) with one title stay two pages."""
        while url in self.seen:
            url += "-2"
        self.seen.add(url)
        return url

    def _noisy(self, url: str, prov: int) -> str:
        """The same article, written differently: tracking params, fragment, slash, host case."""
        rng = self.rng
        kind = rng.randrange(4)
        if kind == 0:
            extra = _pick(rng, _TRACKING).format(d=str(rng.randrange(10**17, 10**18)))
            return url + ("&" + extra[1:] if "?" in url else extra)
        if kind == 1 or "?" in url:
            return url + "#comments"
        if kind == 2:
            return url[:-1] if url.endswith("/") else url + "/"
        host = _HOSTS[prov]
        return url.replace(host, host.upper() if rng.random() < 0.5 else host.title(), 1)

    def _amp(self, url: str, prov: int) -> str:
        """The article's AMP page, in one of the forms outlets use: `/amp` after the path, an
        `amp.` host, `?amp` or `?outputType=amp`."""
        kind = self.rng.randrange(4)
        if kind == 0:
            return url + "&amp=1" if "?" in url else url + "amp/" if url.endswith("/") else url + "/amp"
        if kind == 1:
            host = _HOSTS[prov]
            return url.replace(host, "amp." + host.removeprefix("www."), 1)
        if kind == 2:
            return url + ("&amp" if "?" in url else "?amp")
        return url + ("&" if "?" in url else "?") + "outputType=amp"

    def _variant(self, url: str, prov: int) -> str:
        """Another spelling of the article's clean URL that is still the same page: http://, the
        host with or without www., an AMP form (2 in 5), or a hash-bang fragment."""
        kind = self.rng.randrange(5)
        if kind == 1:
            host = _HOSTS[prov]
            if host.startswith("www."):
                return url.replace(host, host[4:], 1)
            if _BARE[prov]:
                return url.replace(host, "www." + host, 1)
        if kind <= 1:
            return "http://" + url[8:]
        if kind == 2:
            return url + "#!/x"
        return self._amp(url, prov)

    def _story(self, size: int) -> None:
        rng, first = self.rng, len(self.articles)
        day = self._day()
        base = day * 1440 + int(rng.gauss(14.5, 4.0)) % 24 * 60 + rng.randrange(60)
        topic = 1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1])
        used: set[int] = set()
        for k in range(size):
            delta = int(rng.expovariate(1 / 2160)) if k else 0
            minute = base + delta if base + delta < _TOTAL_MIN else max(0, base - delta)
            prov = self._provider()
            for _ in range(3):  # story-mates mostly come from different providers
                if prov not in used:
                    break
                prov = self._provider()
            used.add(prov)
            title = _fill(_pick(rng, _TITLES_T), rng)
            aid = (len(self.articles) * 7919 + 104729) % 90_000_000 + 10_000_000  # unique, random-looking
            url = self._url(prov, minute, _slug(title), aid, article=True)
            quality = int(rng.lognormvariate(4.2, 0.4))
            while quality > 150:
                quality = int(rng.lognormvariate(4.2, 0.4))
            web = self._noisy(url, prov) if rng.random() < 0.08 else url
            video = rng.random() < (0.85 if _PROVIDERS[prov][3] == "5" else 0.015)
            foreign = ""
            if rng.random() < 0.01:  # the aggregator's link went to another outlet's article
                other = self._provider()
                while other == prov:
                    other = self._provider()
                slug = _slug(_fill(_pick(rng, _TITLES_T), rng))
                foreign = self._url(other, minute, slug, rng.randrange(10**8, 10**9))
            self.articles.append(_Article(minute, prov, title, url, web, quality, topic, video, first, size, foreign))

    def _text(self, lo: int, hi: int) -> str:
        pool, rng = self.sentences, self.rng
        return " ".join(pool[rng.getrandbits(12)] for _ in range(rng.randint(lo, hi)))

    def _secured(self) -> str:
        rng = self.rng
        secret = base64.b64encode(rng.randbytes(rng.randrange(240, 330))).decode()
        return f'secured: "{secret};{base64.b64encode(rng.randbytes(16)).decode()}"\n---\n'

    def _image(self, out: list[str], prov: int, minute: int, slug: str, title: str | None, pad: str) -> None:
        rng = self.rng
        w, h = _pick(rng, _IMAGE_SIZES)
        host = _pick(rng, ("cdn.", "images.", "media.", "")) + _PROVIDERS[prov][1]
        day = _DAYS[minute // 1440]
        url = f"https://{host}/uploads/{day[:4]}/{day[5:7]}/{slug[:40].strip('-')}-{rng.getrandbits(24):06x}."
        url += _pick(rng, ("jpg", "jpg", "png", "webp")) + (f"?w={w}" if rng.random() < 0.3 else "")
        out.append(f"{pad}- url: {_q(url)}\n{pad}  width: {w}\n{pad}  height: {h}")
        if title is not None and rng.random() < 0.5:
            out.append(f"{pad}  title: {_q(title)}")
        if rng.random() < 0.4:
            out.append(f"{pad}  isCached: true")

    def _topics(self, out: list[str], primary: int) -> None:
        rng = self.rng
        n_other = bisect((0.15, 0.6, 0.85, 0.95), rng.random())  # topics besides "AI": 0..4
        names = [_TOPICS[primary]] if n_other and rng.random() < 0.8 else []
        for _ in range(3 * n_other):
            if len(names) >= n_other:
                break
            name = _TOPICS[1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1])]
            if name not in names:
                names.append(name)
        if not names or rng.random() < 0.85:
            names.append("AI")
        odd = rng.random()
        if odd < 0.01:  # a scalar instead of a list
            out.append(f"topics: {names[0]}")
            return
        if odd < 0.02:  # padded with spaces (must be quoted to survive YAML), or listed twice
            if rng.random() < 0.5:
                names[0] = f'"  {names[0]} "'
            else:
                names.append(names[-1])
        out.append("topics:\n" + "\n".join("  - " + name for name in names))

    def _related(self, out: list[str], i: int) -> None:
        rng = self.rng
        count = bisect((0.4, 0.65, 0.8, 0.9, 0.96), rng.random())  # 0..5 related items
        art = self.articles[i]
        mates = [j for j in range(art.first, art.first + art.size) if j != i]
        lines = ["related:"]
        for _ in range(count):
            if mates and rng.random() < 0.45:  # another article of this corpus, same story
                j = mates.pop(rng.randrange(len(mates)))
                mate = self.articles[j]
                title, minute, prov, video = mate.title, mate.minute, mate.prov, mate.video
                clean, quality, slug = mate.base, mate.quality, ""
                r = rng.random()  # half noisy, 15% another spelling of the same URL, the rest exact
                url = self._noisy(clean, prov) if r < 0.5 else self._variant(clean, prov) if r < 0.65 else clean
            else:  # an outside article published around the same time
                title = _fill(_pick(rng, _TITLES_T), rng)
                delta = int(rng.expovariate(1 / 1440)) * (1 if rng.random() < 0.5 else -1)
                minute = min(_TOTAL_MIN - 1, max(0, art.minute + delta))
                prov, video = self._provider(), False
                slug = _slug(title)
                url = clean = self._url(prov, minute, slug, rng.randrange(10**8, 10**9))
                quality = int(rng.lognormvariate(3.8, 0.5)) % 151
            amp = f"\n    ampWebUrl: {_q(self._amp(clean, prov))}" if rng.random() < 0.1 else ""
            lines.append(f"  - title: {_q(title)}\n    excerpt: {_q(self._text(1, 3) + ' ...')}\n"
                         f"    publishedDateTime: {_ts(minute)}\n    webUrl: {_q(url)}{amp}\n"
                         f"    type: {'video' if video else 'article'}\n    provider:\n"
                         f"      name: {_PROVIDERS[prov][0]}\n      domain: {_PROVIDERS[prov][1]}\n"
                         f"    quality: {quality}")
            if rng.random() < 0.6:
                lines.append("    images:")
                self._image(lines, prov, minute, slug or _slug(title), None, "      ")
        if count:
            out.append("\n".join(lines))

    def _authors(self, pad: str) -> str:
        """An `authors:` list of 1-3 invented bylines (mostly one), to go under a provider."""
        rng = self.rng
        r = rng.random()
        count = 1 if r < 0.7 else 2 if r < 0.92 else 3
        return f"\n{pad}authors:" + "".join(
            f"\n{pad}  - name: {_pick(rng, _FIRST)} {_pick(rng, _LAST)}" for _ in range(count))

    def render(self, i: int, mode: int = _OWN) -> tuple[str, str]:
        """(file name without its suffix, file text) of article i (_OWN), or of another file for it:
        a syndication copy by another outlet under the article's webUrl (_COPY) or under its own
        URL 95 minutes later (_WIRE), or the same outlet's article under a variant URL (_VARIANT)."""
        rng = self.rng
        art = self.articles[i]
        title, minute, web, quality = art.title, art.minute, art.web, art.quality
        prov, original, video = art.prov, None, art.video
        slug, day = _slug(title), _DAYS[minute // 1440]
        copy = mode == _COPY or mode == _WIRE
        if copy:  # the same webUrl, title and date, re-published by another outlet
            prov = self._provider()
            while prov == art.prov:
                prov = self._provider()
            original = self._url(prov, minute, slug, rng.randrange(10**8, 10**9))
            quality = int(rng.lognormvariate(4.2, 0.4)) % 151
            if mode == _WIRE:  # decided by position, not by the RNG: the other files stay byte-identical
                web, minute = original, min(minute + 95, _TOTAL_MIN - 1)
        elif mode == _VARIANT:
            web = self._variant(art.base, prov)
        elif rng.random() < 0.35:
            original = web if rng.random() < 0.7 else self._noisy(art.base, prov)
        if art.foreign and mode == _OWN:  # title and provider stay the article's: originalUrl's
            original, web = original or web, art.foreign
        excerpt = self._text(2, 3)
        # a few excerpts end in the CR LF of the text they were cut from, kept as escapes
        excerpt = _q(excerpt)[:-1] + '\\r\\n"' if rng.random() < 0.01 else _q(excerpt + " ...")
        head = ["---\ncategory: news", f"title: {_q(title)}", f"excerpt: {excerpt}",
                f"publishedDateTime: {day if rng.random() < 0.02 else _ts(minute)}"]
        if original is not None:
            head.append(f"originalUrl: {_q(original)}")
        head.append(f"webUrl: {_q(web)}")
        if mode == _OWN and rng.random() < 0.12:
            base = art.base
            amp = base + "amp/" if base.endswith("/") else base + ("&amp=1" if "?" in base else "/amp")
            head.append(f"ampWebUrl: {_q(amp)}")
        head.append(f"type: {'video' if video else 'article'}")
        if rng.random() < 0.95:
            head.append(f'quality: "{quality}"' if rng.random() < 0.01 else f"quality: {quality}")
            r = rng.random()
            if r < 0.315:
                head.append("heat: -1")
            elif r >= 0.345:
                heat = quality if rng.random() < 0.45 else min(800, int(rng.lognormvariate(4.4, 0.8)))
                head.append(f"heat: {heat}")
            head.append(f"published: {'true' if rng.random() < 0.8 else 'false'}")
        if rng.random() < 0.005:  # withdrawn by the aggregator, the file left in place
            head.append("removed: true")
        provider = "provider:\n  name: %s\n  domain: %s" % _PROVIDERS[prov][:2]
        if rng.random() < 0.3:
            provider += self._authors("  ")
        blocks = ["\n".join(head), provider]
        self._topics(blocks, art.topic)
        r = rng.random()
        if r >= 0.2:
            images = ["images:"]
            for _ in range(1 if r < 0.9 else 2):
                self._image(images, prov, minute, slug, title, "  ")
            blocks.append("\n".join(images))
        if mode == _OWN:
            self._related(blocks, i)
        blocks.append(self._secured())
        body = "\n\n".join(self._text(2, 4) for _ in range(_pick(rng, (0, 0, 1, 1, 1, 2, 2, 3))))
        text = "\n\n".join(blocks) + ("\n" + body + "\n" if body else "")
        return f"news/{day[:4]}/{day[5:7]}/{day}-{slug}", text

    def _letter(self, day: int, arts: list[_Article]) -> tuple[str, str]:
        """The aggregator's own newsletter of the day: no category, no provider, an HTML body."""
        rng = self.rng
        date = _DAYS[day]
        heads = sorted(arts, key=lambda a: -a.quality)[:rng.randint(3, 6)]
        title, excerpt = f"A.I. Every Day ({date})", " / ".join(a.title for a in heads)
        front = (f"---\ntitle: {_q(title)}\nexcerpt: {_q(excerpt)}\n"
                 f"publishedDateTime: {_ts(day * 1440 + rng.randrange(17 * 60, 22 * 60))}\n"
                 f"webUrl: {_q(_LETTER_URL.format(date))}\ntype: article\n\ntopics:\n  - AI\n\n---\n")
        rows = "".join(f'    <tr><td><a href="{escape(a.web)}">{escape(a.title)}</a><br>'
                       f"{escape(_PROVIDERS[a.prov][0])}</td></tr>\n" for a in heads)
        body = (f'<html>\n\n<head>\n  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
                f"  <title>{escape(title)}</title>\n  <meta name=\"description\" content=\"{escape(excerpt)}\">\n"
                f"</head>\n\n<body>\n  <h1>A.I. Every Day</h1>\n  <table>\n{rows}  </table>\n</body>\n\n</html>\n")
        return f"newsletters/ai-every-day-{date}.html", front + body

    def _video(self) -> tuple[str, str]:
        rng = self.rng
        minute = self._day() * 1440 + rng.randrange(1440)
        channel = _CHANNELS[bisect(_CHANNEL_CUM, rng.random() * _CHANNEL_CUM[-1])]
        title = _cap(_fill(_pick(rng, _VIDEO_T), rng))
        vid = base64.urlsafe_b64encode(rng.randbytes(9)).decode()[:11]
        seconds = 30 + int(rng.expovariate(1 / 900))
        hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
        length = "PT" + (f"{hh}H" if hh else "") + (f"{mm}M" if mm else "") + (f"{ss}S" if ss else "")
        embed = (f'<iframe width="800" height="500" frameborder="0" src="https://www.youtube.com/embed/{vid}" '
                 'allowfullscreen></iframe>')
        blocks = [f"---\ntitle: {_q(title)}\nexcerpt: {_q(self._text(1, 3))}\n"
                  f"webUrl: {_q('https://www.youtube.com/watch?v=' + vid)}\ntype: video\nprice: Free\n"
                  f"length: {length}\npublishedDateTime: {_ts(minute)}\nheat: {min(800, int(rng.lognormvariate(4, 0.7)))}",
                  f"featuredContent: {_q(embed)}",
                  f"provider:\n  name: {channel}\n  domain: youtube.com"]
        self._topics(blocks, 1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1]))
        blocks.append(f"images:\n  - url: {_q(f'https://i.ytimg.com/vi/{vid}/maxresdefault.jpg')}\n"
                      "    width: 1280\n    height: 720\n    isCached: true")
        blocks.append(self._secured())
        return f"learning/videos/{_slug(channel)}-{_slug(title)}", "\n\n".join(blocks)

    def _learning(self, kind: str) -> tuple[str, str]:
        """A course (no date, a price and a length) or a book (a price and its authors)."""
        rng = self.rng
        course = kind == "course"
        name, domain = _pick(rng, _COURSE_SITES if course else _BOOK_SHOPS)
        title = _cap(_fill(_pick(rng, _COURSE_T if course else _BOOK_T), rng))
        slug = _slug(title)
        if course:
            url = self._unique(f"https://www.{domain}/learn/{slug}")
            price = _pick(rng, ("Free", "Free+", "$49", "$39/month"))
            extra = f"\nlength: {_pick(rng, ('9 hours', '4 weeks', 'PT41M', 'PT2H30M'))}"
        else:
            words = "-".join(w.capitalize() for w in slug.split("-")[:6])
            url = self._unique(f"https://www.{domain}/{words}/dp/{rng.randrange(10**9, 10**10)}")
            price, extra = f"${rng.randrange(15, 80)}.{_pick(rng, ('00', '99', '49'))}", ""
        provider = f"provider:\n  name: {name}\n  domain: {domain}"
        if course:
            provider += f"\n  publishers:\n    - name: {_pick(rng, _W['co'])}\n      domain: "
        else:
            provider += self._authors("  ")
        blocks = [f"---\ntitle: {_q(title)}\nexcerpt: {_q(self._text(2, 3))}\nwebUrl: {url}\ntype: {kind}\n"
                  f"price: {price}{extra}\nratings:\n  count: {int(rng.expovariate(1 / 900))}\n"
                  f"  average: {rng.randrange(30, 50) / 10}\nheat: 50", provider,
                  "levels:\n  - " + _pick(rng, _LEVELS)]
        self._topics(blocks, 1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1]))
        w, h = (400, 400) if course else (175, 218)
        blocks.append(f"images:\n  - url: {_q(f'https://media.{domain}/covers/{slug[:40]}.jpg')}\n"
                      f"    width: {w}\n    height: {h}\n    title: {_q(title)}")
        blocks.append(self._secured())
        folder = "learning/courses" if course else "learning/books"
        return f"{folder}/{_slug(name)}-{slug}", "\n\n".join(blocks)

    def _project(self) -> tuple[str, str]:
        """A code project. The real pages name the project with `name:`; these carry a title so
        that they load, and only an originalUrl, as the real ones do."""
        rng = self.rng
        co = _pick(rng, _W["co"])
        owner, repo = _slug(co), _slug(f"{_pick(rng, _W['adj'])} {_pick(rng, _W['prod'])}")
        url = self._unique(f"https://github.com/{owner}/{repo}")
        stars = int(rng.expovariate(1 / 4000))
        languages = ",".join(f'"{lang}"' for lang in rng.sample(_LANGUAGES, rng.randint(1, 3)))
        blocks = [f"---\ntitle: {_q(url[19:])}\nexcerpt: {_q(_fill(_pick(rng, _BLURB_T), rng))}\n"
                  f"originalUrl: {url}\ntype: code\nheat: {min(800, stars // 40)}",
                  f'github:\n  url: "{url}"\n  watches: {stars // 25}\n  stars: {stars}\n  forks: {stars // 6}\n'
                  f"  languages: [{languages}]",
                  f"provider:\n  name: {co}\n  domain: {owner}.dev"]
        self._topics(blocks, 1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1]))
        blocks.append("---\n")
        return f"projects/{owner}-{repo}", "\n\n".join(blocks)

    def _person(self) -> tuple[str, str]:
        """A profile page: `name:` and no title, so it is not an article and must be quarantined."""
        rng = self.rng
        name = f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"
        slug, city = _slug(name), _pick(rng, _W["city"])
        handle = slug.replace("-", "")[:15]
        blocks = [f"---\nname: {_q(name)}\nbio: {_q(self._text(1, 2))}\nlocation: {city}\n"
                  f'type: "profile"\nheat: {int(rng.lognormvariate(4.5, 0.8)) % 800}',
                  f"website: https://{slug}.dev",
                  f"twitter:\n  username: {handle}\n  url: https://twitter.com/{handle}\n"
                  f"  followers: {int(rng.expovariate(1 / 20000))}"]
        self._topics(blocks, 1 + bisect(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1]))
        blocks.append(f"images:\n  - url: {_q(f'https://pbs.example/profile_images/{rng.getrandbits(40)}_400x400.jpg')}"
                      f"\n    width: 400\n    height: 400\n    title: {_q(name)}")
        blocks.append(self._secured())
        return f"people/{slug}", "\n\n".join(blocks)

    def files(self) -> Iterator[tuple[str, str]]:
        """(name, text) of every file, in a fixed order; a name without a suffix gets one."""
        for i in range(len(self.articles)):
            yield self.render(i)
        for k, i in enumerate(self.copies):  # every other copy is a wire copy
            yield self.render(i, _WIRE if k % 2 else _COPY)
        for i in self.variants:
            yield self.render(i, _VARIANT)
        for day, arts in self.letters.items():
            yield self._letter(day, arts)
        for _ in range(self.n_videos):
            yield self._video()
        for kind, count in (("course", self.n_courses), ("book", self.n_books)):
            for _ in range(count):
                yield self._learning(kind)
        for _ in range(self.n_code):
            yield self._project()
        for _ in range(self.n_people):
            yield self._person()


def _write_batch(batch: list[tuple[str, bytes]]) -> None:
    for path, data in batch:
        with open(path, "wb") as fh:
            fh.write(data)


def generate(n: int, out_dir: Path | str, *, seed: int = 0) -> int:
    """Write n synthetic seed files under out_dir (news/, newsletters/, learning/, projects/,
    people/); returns the number written.

    Rendering is one sequential pass over one RNG (that is what makes it deterministic); the
    writes, mostly time spent in the kernel, run on two threads while the next batch renders.
    """
    if not 0 <= n <= 1 << 24:
        raise ValueError(f"n must be between 0 and 2**24, got {n}")
    corpus = _Corpus(n, seed)
    root, written = os.fspath(out_dir), 0
    salt = corpus.rng.getrandbits(24)
    made_dirs: set[str] = set()
    pending: deque[Future[None]] = deque()
    batch: list[tuple[str, bytes]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for k, (stem, text) in enumerate(corpus.files()):
            # An odd multiplier permutes 0..2**24-1: every file gets its own random-looking suffix.
            # Newsletters are named by their day alone, as the real ones are.
            name = stem if stem.endswith(".html") else f"{stem}-{(k * 0x9E3779B1 & 0xFFFFFF) ^ salt:06x}.md"
            folder = name[:name.rindex("/")]
            if folder not in made_dirs:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                made_dirs.add(folder)
            batch.append((os.path.join(root, name), text.encode("utf-8")))
            written = k + 1
            if len(batch) == 256:
                pending.append(pool.submit(_write_batch, batch))
                batch = []
                if len(pending) > 16:  # bound the memory held by rendered, unwritten files
                    pending.popleft().result()
        pending.append(pool.submit(_write_batch, batch))
        for future in pending:
            future.result()
    return written
