"""What every warehouse table and column means: the one source for `COMMENT ON`, the Dagster
column schemas and the docs. A table's SQL lives in `warehouse/<schema>/<table>.sql`; a test
holds the columns here equal to the columns the SQL produces.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str  # schema-qualified, e.g. "core.articles"
    description: str
    columns: dict[str, str]
    view: bool = False  # a view over other tables, for questions analysts ask often

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[1]


_ARTICLE_ID = "Article key: the first 16 hex digits of sha256(canonical_url)."

TABLES: tuple[Table, ...] = (
    Table(
        "core.seed_files",
        "The ledger: one row per file found under the seeds root, loaded, duplicate or quarantined. "
        "count(*) always equals the number of files found.",
        {
            "source_path": "Path of the file relative to the seeds root (POSIX separators).",
            "size_bytes": "File size in bytes when it was read.",
            "modified_at": "File modification time (UTC).",
            "content_sha256": "SHA-256 of the file's bytes; NULL when it could not be read.",
            "status": "loaded (this file is the article), duplicate (another file holds the same "
            "canonical URL) or quarantined (not loaded; see error_kind).",
            "article_id": "The article this file is, or duplicates; NULL when quarantined.",
            "error_kind": "Why the file was quarantined, from a fixed set (see README); NULL otherwise.",
            "error_message": "What is wrong and what would fix it; for duplicates, which file won.",
            "error_line": "1-based line of the problem in the file, when known.",
        },
    ),
    Table(
        "core.providers",
        "One row per outlet, keyed by domain; includes outlets seen only as related coverage.",
        {
            "provider_id": "Outlet key: its domain in lower case without www.",
            "name": "The name the outlet is most often given in the seeds.",
            "domain": "The outlet's domain (same as provider_id).",
            "registered_domain": "Registrable domain under the public suffix (blogs.nvidia.com -> nvidia.com).",
        },
    ),
    Table(
        "core.articles",
        "One row per distinct article, keyed by canonical URL, taken from the file that loaded it.",
        {
            "article_id": _ARTICLE_ID,
            "source_path": "The seed file this article was loaded from.",
            "title": "Headline as written.",
            "excerpt": "Summary or first lines of the article.",
            "web_url": "The article's URL as written (webUrl, else originalUrl).",
            "canonical_url": "web_url normalised: lower-case scheme and host, no default port, no "
            "utm_*/tracking parameters, no fragment, no trailing slash.",
            "published_at": "Publish time in UTC; date-only values are midnight UTC; NULL when "
            "missing or unparseable.",
            "category": "Seed category (e.g. news).",
            "type": "Content type (article, video, book, ...).",
            "quality": "Aggregator quality score (0 and up).",
            "heat": "Aggregator attention score; NULL where the seed says -1 (not measured).",
            "is_published": "The seed's published flag; NULL when absent.",
            "provider_id": "Outlet key (core.providers): declared domain, else the URL's host, without www.",
            "provider_name": "Outlet name as this seed gives it.",
            "secured": "Opaque token from the seed, kept as is and never interpreted.",
            "body_chars": "Length in characters of the body after the front matter.",
            "extra": "Front-matter keys seedhouse does not model, as a JSON object (NULL when none).",
        },
    ),
    Table(
        "core.article_topics",
        "One row per article and topic; topics trimmed and de-duplicated within an article.",
        {
            "article_id": _ARTICLE_ID,
            "topic": "Topic label, trimmed, as written.",
            "ordinal": "1-based position of the topic in the article's list (first occurrence).",
        },
    ),
    Table(
        "core.article_images",
        "One row per image of an article, in the order the seed lists them.",
        {
            "article_id": _ARTICLE_ID,
            "ordinal": "1-based position of the image.",
            "url": "Image URL as written.",
            "width": "Width in pixels, when given.",
            "height": "Height in pixels, when given.",
            "title": "Image title or caption, when given.",
        },
    ),
    Table(
        "core.related_links",
        "One row per related item of an article: other outlets' coverage of the same story.",
        {
            "article_id": "The article listing this related item.",
            "ordinal": "1-based position in the article's related list.",
            "title": "Headline of the related item.",
            "web_url": "URL of the related item as written.",
            "canonical_url": "web_url normalised as for core.articles; NULL when not http(s).",
            "published_at": "Publish time of the related item in UTC, when given.",
            "provider_id": "Outlet of the related item (core.providers).",
            "provider_name": "Outlet name as this related item gives it.",
            "quality": "Aggregator quality score of the related item.",
            "type": "Content type of the related item.",
            "target_article_id": "The related item's own article when it is in the corpus "
            "(same canonical URL), else NULL.",
        },
    ),
    Table(
        "analytics.provider_stats",
        "One row per provider: volume, dates, scores, topics, share and related-coverage links.",
        {
            "provider_id": "Outlet key (core.providers).",
            "name": "Outlet name.",
            "n_articles": "Distinct articles from this outlet (0 for outlets seen only as related coverage).",
            "first_published_at": "Earliest publish time of its articles (UTC).",
            "last_published_at": "Latest publish time of its articles (UTC).",
            "avg_quality": "Mean quality of its articles, 2 decimals.",
            "median_quality": "Median quality of its articles.",
            "avg_heat": "Mean heat of its articles where measured, 2 decimals.",
            "median_heat": "Median heat of its articles where measured.",
            "n_topics": "Distinct topics across its articles.",
            "share_of_articles": "n_articles / all articles in core.articles (0..1).",
            "n_links_out": "Related items listed by its articles (links to itself included).",
            "n_links_in": "Related items, listed by any article, that are this outlet's coverage.",
        },
    ),
    Table(
        "analytics.topic_stats",
        "One row per topic: volume, outlets, heat and first/last appearance.",
        {
            "topic": "Topic label.",
            "n_articles": "Distinct articles with this topic.",
            "n_providers": "Distinct outlets with at least one article on this topic.",
            "avg_heat": "Mean heat of those articles where measured, 2 decimals.",
            "first_seen_at": "Earliest publish time of an article with this topic (UTC).",
            "last_seen_at": "Latest publish time of an article with this topic (UTC).",
        },
    ),
    Table(
        "analytics.topic_trends",
        "One row per topic and calendar month (UTC) with at least one dated article.",
        {
            "topic": "Topic label.",
            "month_date": "First day of the month (UTC).",
            "n_articles": "Distinct articles with this topic published in the month.",
            "avg_heat": "Mean heat of those articles where measured, 2 decimals.",
        },
    ),
    Table(
        "analytics.topic_pairs",
        "One row per pair of topics that appear together on at least one article (topic_a < topic_b).",
        {
            "topic_a": "First topic of the pair (alphabetically).",
            "topic_b": "Second topic of the pair.",
            "n_articles": "Articles carrying both topics.",
            "lift": "P(a and b) / (P(a) P(b)) over all articles; above 1 means they co-occur more than chance.",
            "jaccard": "Articles with both / articles with either (0..1).",
        },
    ),
    Table(
        "analytics.provider_links",
        "One row per (article's outlet -> outlet of its related coverage).",
        {
            "source_provider_id": "Outlet of the article listing the related item.",
            "target_provider_id": "Outlet of the related item.",
            "n_links": "Related items from source to target.",
            "n_stories": "Distinct source articles with at least one such related item.",
            "median_lag_hours": "Median of (related item's publish time - article's), in hours; "
            "positive when the target published later. NULL when no pair has both dates.",
        },
    ),
    Table(
        "analytics.stories",
        "One row per story: a connected component of articles and their related items joined by "
        "related links. Every article is in exactly one story.",
        {
            "story_id": "The smallest article_id among the story's corpus articles.",
            "n_items": "Distinct canonical URLs in the story (corpus articles and related items).",
            "n_articles": "Corpus articles in the story.",
            "n_providers": "Distinct outlets covering the story.",
            "provider_ids": "Those outlets, sorted.",
            "first_published_at": "Earliest publish time in the story (UTC).",
            "last_published_at": "Latest publish time in the story (UTC).",
            "span_hours": "Hours from the first to the last publish time, 2 decimals.",
        },
    ),
)

VIEWS: tuple[Table, ...] = (
    Table(
        "analytics.article_details",
        "One row per article with its outlet, topics and coverage counts already joined: the "
        "starting point for questions about individual articles.",
        {
            "article_id": _ARTICLE_ID,
            "title": "Headline.",
            "published_at": "Publish time (UTC); NULL when undated.",
            "provider_id": "Outlet key.",
            "provider_name": "Outlet name (core.providers).",
            "registered_domain": "The outlet's registrable domain.",
            "web_url": "The article's URL as written.",
            "quality": "Aggregator quality score.",
            "heat": "Aggregator attention score; NULL when not measured.",
            "topics": "The article's topics, sorted.",
            "n_images": "Images listed by the article.",
            "n_related": "Related items listed by the article.",
            "n_related_in_corpus": "Of those, items that are themselves corpus articles.",
        },
        view=True,
    ),
    Table(
        "analytics.related_coverage",
        "One row per related link with both sides spelled out: the article and its outlet, the "
        "related item and its outlet, and who published first.",
        {
            "article_id": "The article listing the related item.",
            "ordinal": "Position of the item in the article's related list.",
            "article_title": "The article's headline.",
            "article_provider_id": "The article's outlet.",
            "article_published_at": "The article's publish time (UTC).",
            "related_title": "The related item's headline.",
            "related_provider_id": "The related item's outlet.",
            "related_published_at": "The related item's publish time (UTC).",
            "lag_hours": "Related publish time minus the article's, in hours (positive: the related outlet was later).",
            "is_same_provider": "Whether both sides are the same outlet (a link to itself).",
            "target_article_id": "The related item's own article when it is in the corpus.",
        },
        view=True,
    ),
)

# Views are built, documented and checked like the tables, after them.
TABLES = TABLES + VIEWS

BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
