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
    # for marts: what the counts count (per copy, or syndicated copies once); see COUNTING_RULES
    counting: str = ""

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[1]


_ARTICLE_ID = "Article key: the first 16 hex digits of sha256(canonical_url)."
_DATE_STATUS = (
    "dated; missing (no parseable publish time); or implausible: before 1990 (BC dates included), "
    "or more than a day after the seed file was last written or the build started "
    "(quality.build_info.started_at), whichever is earlier (infinity and years past 9999 "
    "included). A modification time before 1990, as archives and reproducible builds set it, is "
    "no writing time: then only the build's start counts. Only dated rows go on a time axis."
)
_STORED_TIME = (
    "NULL when missing or unparseable, and when not a finite time within the years 1 to 9999 "
    "(infinity, BC dates, year 99999: date_status says implausible)"
)
_PER_COPY = "Counts are of distinct articles (canonical URLs): each syndicated copy counts once per copy."
_LINK = (
    "A link is one related item on one article, from the article's outlet (out) to the related "
    "item's outlet (in); a syndicated copy's links count again."
)
_WEEKS = "Periods are ISO weeks (starting Monday) or calendar months, in UTC."

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
            "web_url": "The article's URL as written (webUrl, else originalUrl), without the white "
            "space around it (tabs, line breaks, Unicode spaces).",
            "canonical_url": "web_url normalised: lower-case scheme and host, no default port, no "
            "utm_*/tracking parameters, no fragment, no trailing slash.",
            "published_at": "Publish time in UTC; date-only values are midnight UTC; " + _STORED_TIME + ".",
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
            "date_status": _DATE_STATUS,
            "syndication_group_id": "The article_id of the earliest copy of this article's story "
            "(itself when it has no copy). Copies are dated articles whose headlines reduce to the "
            "same words (accents, case and punctuation ignored; at least three words), each published "
            "at most 7 days after the previous copy, from any outlet.",
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
            "web_url": "URL of the related item as written, without the white space around it.",
            "canonical_url": "web_url normalised as for core.articles; NULL when not http(s).",
            "published_at": "Publish time of the related item in UTC; " + _STORED_TIME + ".",
            "date_status": _DATE_STATUS.replace("the seed file", "the seed file listing it"),
            "provider_id": "Outlet of the related item (core.providers).",
            "provider_name": "Outlet name as this related item gives it.",
            "quality": "Aggregator quality score of the related item.",
            "type": "Content type of the related item.",
            "target_article_id": "The related item's own article when it is in the corpus "
            "(same canonical URL), else NULL.",
        },
    ),
    Table(
        "analytics.corpus_summary",
        "One row: the totals every other mart reconciles with. Files not loaded, undateable "
        "articles and syndicated copies are each counted here, so nothing disappears silently.",
        {
            "files_found": "Files found under the seeds root (= rows of core.seed_files).",
            "files_loaded": "Files loaded as an article.",
            "files_duplicate": "Files holding the same canonical URL as a loaded file.",
            "files_quarantined": "Files not loaded; core.seed_files says why.",
            "n_articles": "Distinct articles (= rows of core.articles = files_loaded).",
            "n_dated_articles": "Articles with date_status dated: the ones on every time axis.",
            "n_missing_date": "Articles with no parseable publish time.",
            "n_implausible_date": "Articles whose publish time is before 1990 or more than a day after their seed "
            "file was written (or the build started; see core.articles.date_status).",
            "n_syndication_groups": "Distinct syndication groups: articles with syndicated copies counted once.",
            "n_providers_with_articles": "Outlets with at least one article.",
            "first_published_at": "Earliest dated publish time (UTC).",
            "last_published_at": "Latest dated publish time (UTC).",
            "n_providers": "Outlets in core.providers (including those seen only as related coverage).",
            "n_topics": "Distinct topics.",
            "n_related_links": "Related items of all articles (= rows of core.related_links).",
            "n_self_links": "Related items from an outlet to itself.",
            "n_cross_links": "Related items between two different outlets.",
            "n_links_in_corpus": "Related items that are themselves corpus articles.",
            "n_stories": "Stories (analytics.stories).",
        },
        counting=_PER_COPY + " Both rules are given: n_articles per copy, n_syndication_groups copies once.",
    ),
    Table(
        "analytics.provider_stats",
        "One row per provider: volume, dates, scores, topics, share and related-coverage links.",
        {
            "provider_id": "Outlet key (core.providers).",
            "name": "Outlet name.",
            "n_articles": "Distinct articles from this outlet (0 for outlets seen only as related coverage).",
            "first_published_at": "Earliest dated publish time of its articles (UTC).",
            "last_published_at": "Latest dated publish time of its articles (UTC).",
            "avg_quality": "Mean quality of its articles, 2 decimals.",
            "median_quality": "Median quality of its articles.",
            "avg_heat": "Mean heat of its articles where measured, 2 decimals.",
            "median_heat": "Median heat of its articles where measured.",
            "n_topics": "Distinct topics across its articles.",
            "share_of_articles": "n_articles / all articles in core.articles (0..1).",
            "n_links_out": "Related items listed by its articles, all outlets: n_self_links + "
            "n_cross_links_out + n_links_out_unknown_provider of analytics.provider_link_metrics.",
            "n_links_in": "Related items, on any article, that are this outlet's coverage: n_self_links "
            "+ n_cross_links_in of analytics.provider_link_metrics.",
        },
        counting=_PER_COPY + " " + _LINK,
    ),
    Table(
        "analytics.provider_health",
        "One row per outlet with articles: publishing rate over its active span, coverage gaps, "
        "content types, completeness of its seeds and a health flag. Weeks are ISO weeks (starting "
        "Monday), in UTC.",
        {
            "provider_id": "Outlet key (core.providers).",
            "n_articles": "Its distinct articles, dated or not.",
            "n_dated_articles": "Of those, dated ones (the only ones placed in weeks).",
            "n_undateable_articles": "Of those, articles with a missing or implausible date.",
            "first_week": "Monday of its first week with a dated article.",
            "last_week": "Monday of its last week with a dated article.",
            "span_weeks": "Weeks from first_week to last_week, both included: its active span.",
            "active_weeks": "Weeks in the span with at least one article.",
            "share_missing_date": "Share of its articles that are undateable (0..1, 4 decimals).",
            "share_missing_images": "Share of its articles with no image.",
            "share_missing_topics": "Share of its articles with no topic.",
            "gap_weeks": "Weeks in the span with no article (span_weeks - active_weeks).",
            "longest_gap_weeks": "The longest run of consecutive weeks with no article (0 when none).",
            "articles_per_week": "n_dated_articles / span_weeks, 4 decimals.",
            "weeks_since_last": "Weeks from last_week to the corpus's last week with a dated article.",
            "type_shares": "Map of content type (unknown when not given) to its share of the "
            "outlet's articles, 4 decimals.",
            "gaps": "Each run of silent weeks: gap_start (Monday of its first week) and n_weeks, in order.",
            "health": "The first rule that matches: insufficient_data (fewer than 3 dated articles); "
            "stale (weeks_since_last > 4 and > 3 x its usual spacing, span_weeks / active_weeks); gappy (gap_weeks more than half of span_weeks); "
            "incomplete (more than 25% of its articles miss a date, an image or topics); else healthy.",
        },
        counting=_PER_COPY,
    ),
    Table(
        "analytics.provider_link_metrics",
        "One row per outlet: related-coverage links in and out, with links to itself kept apart "
        "from links between outlets. " + _LINK,
        {
            "provider_id": "Outlet key (core.providers).",
            "n_links_out": "Related items on its articles = n_self_links + n_cross_links_out + "
            "n_links_out_unknown_provider.",
            "n_links_in": "Related items on any article that are its coverage = n_self_links + n_cross_links_in.",
            "n_self_links": "Related items on its articles that are its own coverage (a link to itself).",
            "n_cross_links_out": "Related items on its articles that are another outlet's coverage.",
            "n_cross_links_in": "Related items on other outlets' articles that are its coverage.",
            "n_links_out_unknown_provider": "Related items on its articles whose outlet is unknown.",
            "n_providers_linked_out": "Distinct other outlets its articles link to.",
            "n_providers_linking_in": "Distinct other outlets whose articles link to it.",
        },
        counting=_LINK,
    ),
    Table(
        "analytics.provider_attention",
        "One row per outlet with articles, grain and period: its dated articles in every week and "
        "month of the corpus, zero-filled, and their share of all dated articles. " + _WEEKS,
        {
            "provider_id": "Outlet key (core.providers).",
            "grain": "week or month.",
            "period_start": "First day of the period (a Monday, or the 1st of the month).",
            "n_articles": "Its dated articles published in the period (0 when none).",
            "share_of_articles": "n_articles / analytics.article_volume.n_articles of the period, "
            "6 decimals; NULL when the period has no articles at all.",
        },
        counting=_PER_COPY + " Undateable articles are left out (see analytics.corpus_summary).",
    ),
    Table(
        "analytics.article_volume",
        "One row per grain and period: all dated articles in every week and month from the corpus's "
        "first dated article to its last, zero-filled. The denominator of the attention marts. " + _WEEKS,
        {
            "grain": "week or month.",
            "period_start": "First day of the period (a Monday, or the 1st of the month).",
            "n_articles": "Dated articles published in the period (0 when none).",
            "n_syndication_groups": "Distinct syndication groups among them (copies counted once).",
        },
        counting=_PER_COPY + " n_syndication_groups counts copies once. Undateable articles are left out.",
    ),
    Table(
        "analytics.topic_stats",
        "One row per topic: volume, outlets, heat and first/last appearance.",
        {
            "topic": "Topic label.",
            "n_articles": "Distinct articles with this topic.",
            "n_providers": "Distinct outlets with at least one article on this topic.",
            "avg_heat": "Mean heat of those articles where measured, 2 decimals.",
            "n_syndication_groups": "Distinct syndication groups among those articles (copies counted once).",
            "first_seen_at": "Earliest dated publish time of an article with this topic (UTC).",
            "last_seen_at": "Latest dated publish time of an article with this topic (UTC).",
        },
        counting=_PER_COPY + " n_syndication_groups counts copies once.",
    ),
    Table(
        "analytics.topic_attention",
        "One row per topic, grain and period: its dated articles in every week and month from the "
        "topic's first dated article to its last, zero-filled, and their share of all dated articles. " + _WEEKS,
        {
            "topic": "Topic label.",
            "grain": "week or month.",
            "period_start": "First day of the period (a Monday, or the 1st of the month); a topic's "
            "periods run from its first dated article to its last (none for a topic of undateable "
            "articles only).",
            "n_articles": "Dated articles with this topic published in the period (0 when none).",
            "n_syndication_groups": "Distinct syndication groups among them (copies counted once).",
            "share_of_articles": "n_articles / analytics.article_volume.n_articles of the period, "
            "6 decimals; NULL when the period has no articles at all.",
            "avg_heat": "Mean heat of those articles where measured, 2 decimals; NULL when none.",
        },
        counting=_PER_COPY + " n_syndication_groups counts copies once. Undateable articles are left out.",
    ),
    Table(
        "analytics.topic_trends",
        "One row per topic and calendar month (UTC) with at least one dated article "
        "(analytics.topic_attention has the zero-filled series).",
        {
            "topic": "Topic label.",
            "month_date": "First day of the month (UTC).",
            "n_articles": "Distinct articles with this topic published in the month.",
            "avg_heat": "Mean heat of those articles where measured, 2 decimals.",
        },
        counting=_PER_COPY + " Undateable articles are left out.",
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
        counting=_PER_COPY,
    ),
    Table(
        "analytics.provider_links",
        "One row per (article's outlet -> outlet of its related coverage), links to itself included "
        "and marked.",
        {
            "source_provider_id": "Outlet of the article listing the related item.",
            "target_provider_id": "Outlet of the related item.",
            "is_self_link": "Whether source and target are the same outlet.",
            "n_links": "Related items from source to target.",
            "n_stories": "Distinct source articles with at least one such related item.",
            "median_lag_hours": "Median of (related item's publish time - article's), in hours; "
            "positive when the target published later. Only pairs with both times dated count; "
            "NULL when none has.",
        },
        counting=_LINK,
    ),
    Table(
        "analytics.syndication_groups",
        "One row per syndication group of two or more copies: the same story under different URLs "
        "(see core.articles.syndication_group_id). Articles without a copy are not listed.",
        {
            "syndication_group_id": "The article_id of the group's earliest copy.",
            "title": "Headline of the earliest copy.",
            "n_copies": "Articles in the group (2 or more).",
            "n_providers": "Distinct outlets among the copies.",
            "provider_ids": "Those outlets, sorted.",
            "first_provider_id": "Outlet of the earliest copy (ties: the smaller article_id).",
            "article_ids": "The copies' article ids, sorted.",
            "first_published_at": "Publish time of the earliest copy (UTC).",
            "last_published_at": "Publish time of the latest copy (UTC).",
            "span_hours": "Hours from the first copy to the last, 2 decimals.",
        },
        counting="n_copies counts every copy. count(distinct syndication_group_id) over core.articles "
        "= count(*) over core.articles - sum(n_copies - 1) over this table.",
    ),
    Table(
        "analytics.story_members",
        "One row per item of every story. A story is a connected component of the graph whose "
        "nodes are canonical URLs (corpus articles and their related items) and whose edges are "
        "related links; every article is in exactly one story.",
        {
            "story_id": "The smallest article_id among the story's corpus articles.",
            "canonical_url": "The item's canonical URL.",
            "article_id": "The item's own article when it is a corpus article, else NULL.",
            "provider_id": "The item's outlet: the article's, else its related mentions' "
            "(alphabetically first when they disagree).",
            "published_at": "The article's publish time, else the earliest dated mention's (UTC).",
            "date_status": "The article's date_status, else dated when any mention is dated.",
        },
        counting="One row per distinct canonical URL; syndicated copies (different URLs) are separate items.",
    ),
    Table(
        "analytics.stories",
        "One row per story (see analytics.story_members): its size, outlets and time span.",
        {
            "story_id": "The smallest article_id among the story's corpus articles.",
            "n_items": "Distinct canonical URLs in the story (corpus articles and related items).",
            "n_articles": "Corpus articles in the story.",
            "n_providers": "Distinct outlets covering the story.",
            "provider_ids": "Those outlets, sorted.",
            "n_undateable_items": "Items whose publish time is missing or implausible.",
            "first_provider_id": "Outlet of the earliest dated item (ties: alphabetically first).",
            "first_published_at": "Earliest dated publish time in the story (UTC).",
            "last_published_at": "Latest dated publish time in the story (UTC).",
            "span_hours": "Hours from the first to the last dated publish time, 2 decimals.",
        },
        counting="n_items and n_articles count each canonical URL once: syndicated copies count per copy.",
    ),
    Table(
        "analytics.story_coverage",
        "One row per story and outlet with a dated item in it: who covered the story first, and "
        "each other outlet's lag behind the first.",
        {
            "story_id": "Story key (analytics.stories).",
            "provider_id": "Outlet key (core.providers).",
            "first_published_at": "The outlet's earliest dated item in the story (UTC).",
            "n_items": "The outlet's dated items in the story.",
            "coverage_rank": "1 for the first outlet; outlets tied in time share a rank.",
            "is_first": "Whether the outlet covered the story first (ties: every tied outlet).",
            "lag_hours": "Hours after the story's first dated item, 2 decimals (0 when first).",
            "n_dated_providers": "Outlets with a dated item in the story; lead and lag mean "
            "something only from 2.",
        },
        counting="Per story and outlet; undateable items are left out and counted in analytics.stories.",
    ),
    Table(
        "analytics.provider_lead_lag",
        "One row per outlet: how often it covers a shared story first and its lag otherwise. A "
        "shared story has dated items from at least two outlets.",
        {
            "provider_id": "Outlet key (core.providers).",
            "n_shared_stories": "Shared stories the outlet covered with a dated item.",
            "n_first": "Of those, stories it covered first (ties count for every tied outlet).",
            "share_first": "n_first / n_shared_stories, 4 decimals; NULL with no shared story.",
            "median_lag_hours": "Median lag over its shared stories (0 where first), 2 decimals.",
            "median_lag_when_following_hours": "Median lag over the shared stories it did not cover first.",
            "n_undated_stories": "Stories it appears in only with undateable items (not ordered).",
        },
        counting="Per story: an outlet's several items in one story count once, at its earliest.",
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
            "published_at": "Publish time (UTC); NULL when missing, unparseable or not within the years 1 to 9999.",
            "date_status": "dated, missing or implausible (core.articles).",
            "syndication_group_id": "The earliest copy of this article's story (core.articles).",
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
        counting="One row per distinct article: syndicated copies are separate rows.",
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
        counting=_LINK,
    ),
)

# Views are built, documented and checked like the tables, after them.
TABLES = TABLES + VIEWS

BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
