"""Limits that bound time and memory and never change findings: what is read, batched or shown at
once (``LIMITS``), how pages are fetched (``FetchSettings``) and how far dates are looked for
(``DateSettings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Operational limits: how much is read, batched or shown at once. They bound time and memory
    and never change what is found, so they are fixed per version (``LIMITS``), not per run, and
    are not in the scan JSON. Each value was chosen on this project's 2-core benchmark machine."""

    # --- input ---
    # A page with more labelled blocks than this is refused: a crafted page of a million empty
    # elements costs seconds per step, while the longest real page of gne-html has ~2,000.
    max_page_blocks: int = 100_000
    # JSONL files larger than this are read in ranges of lines (partitions an engine can read
    # anywhere); smaller ones are read whole.
    split_jsonl_bytes: int = 64 << 20
    lines_per_part: int = 20_000
    # `detector index` reads a JSONL file above this size in ranges of ``index_write_batch``
    # lines, in its signing workers (each range is one write transaction): reading and labelling
    # 25 MB took 0.7 s of the writer's 2.4 s when the writer read it (bench/throughput.py). A
    # smaller file is one range; findings do not depend on it.
    index_split_jsonl_bytes: int = 1 << 20
    # A part of files that a signing worker reads itself holds at most this many bytes (its
    # documents are signed and written at once); the writer reads a larger one, and every
    # Parquet row group and WARC file, and hands the documents over in batches.
    index_part_bytes: int = 64 << 20
    # How often a signing worker looks whether its writer is still there (a killed writer left
    # its workers waiting forever): a worker outlives a killed writer by at most this long.
    worker_watch_seconds: float = 0.5
    # Share of the parts written after which the index's topic model is fitted early, beside the
    # signing (analysis/topic_prefit.py; when its sample looks final by then): the fit (~0.6 s
    # for 25 MB) should end with the band-run merge (~0.3 s) that closes the run. Fitted once
    # the last parts were in flight (~80%), the run still waited 0.2-0.6 s for it on the shared
    # 2-core machine; the index and model do not depend on it.
    index_prefit_parts_share: float = 0.6
    files_per_part: int = 500
    # --- signing ---
    # Shingles hashed per pass of the vectorised MinHash: one reused (num_perm x 8192) buffer
    # stays in cache (a fresh large array per batch was 4x slower, DESIGN.md).
    minhash_batch: int = 8192
    # --- scanning ---
    # Tokens of candidate sources kept prepared for alignment across the pages of one scan: about
    # 55 bytes each with their seeds, mask and text, so at most ~55 MB; 500 news articles of
    # 2,000 characters. Pages of one site tend to copy the same sources.
    scan_cache_tokens: int = 1_000_000
    # Pages signed and looked up in the index together (retrieval.SourceLookup.look_up): one
    # vectorised signing pass and one store query for the batch. On the 100 pages of
    # bench/throughput.py, signing one page at a time took 100 ms and in one batch 20 ms; 64
    # pages of ~3,000 characters are ~200k shingles, a few MB of buffers.
    scan_batch_pages: int = 64
    # --- stored indexes (what a crafted file cannot make us allocate or run) ---
    sqlite_query_chunk: int = 900  # band keys per query: below SQLite's default limit of host parameters
    # The SQLite band table (store/band_runs.py): entries per block (a lookup reads one block per
    # key and run; on 100k paragraphs, 178 keys a query: 64 entries 1.3 ms, 128 1.2 ms, 256 1.7 ms,
    # 512 2.8 ms; fewer entries mean more rows to write), runs of one size merged together once
    # this many pile up (a lookup reads at most fan-in x levels runs), and merges done in
    # 2**slice_bits slices of the key space (memory per slice: 1/256 of the runs merged).
    sqlite_block_entries: int = 128
    sqlite_merge_fan_in: int = 8
    sqlite_merge_slice_bits: int = 8
    # Runs a merge reads whole (one query each instead of one per slice; the smallest first, up
    # to this many entries, 16 bytes each in memory): merging the ten runs of 25 MB of text
    # (2.2M entries) made 2,560 range queries and as many deletes.
    sqlite_merge_whole_entries: int = 2_500_000
    # SQLite's page cache for an index (32 MB), unless it is read-only and its band entries (12
    # bytes each) take more than cache_max_ratio times that: on 100k paragraphs (54 MB of
    # entries) 32 MB and SQLite's default 2 MB measured the same per lookup, on 1M (540 MB) the
    # default was 25% faster (random reads: the cache mostly misses either way).
    sqlite_cache_bytes: int = 32 << 20
    sqlite_cache_max_ratio: int = 8
    # The band filter beside an index (store/band_filter.py): block rows read per step while it
    # is built, and the largest file read or written (1 byte per band entry: 45 MB at 1M
    # paragraphs, so this allows ~500M entries).
    band_filter_rows: int = 4096
    band_filter_max_bytes: int = 512 * 2**20
    # Source documents an open index keeps after reading them: a scan reads each finding's
    # source twice (to verify it, then for the JSON); a page has a handful of findings.
    sqlite_recent_documents: int = 64
    # A recorded document length beyond this is corruption (pages are capped far lower).
    stored_max_chars: int = 2**31
    # Texts whose UTF-8 takes at least this many bytes per character (mostly CJK) are stored as
    # UTF-16 instead of zlib-compressed UTF-8: on the cnews corpus (2.9 bytes a character) 8% more
    # bytes than zlib's output for 1/25 of its CPU time; English (1 byte a character) stays zlib.
    stored_utf16_min_utf8_ratio: float = 2.5
    # Manifest ranges: a crafted manifest with 0 bands would scan and find nothing, a huge num_perm
    # would allocate without bound. Far above any setting we use (128 permutations, 25 x 5 bands,
    # chunks of 60 tokens).
    manifest_max_perm: int = 4096
    manifest_max_tokens: int = 100_000
    manifest_max_seed: int = 2**32
    # The topic cache is rebuilt, never trusted, when its arrays would inflate beyond this: a model
    # of 100,000 terms x 30 categories takes 25 MB, so a zip bomb or forged shape stops here.
    topic_cache_max_bytes: int = 512 * 2**20
    # --- fetching ---
    # Raw bytes read from the socket at a time while streaming a body, and output produced per
    # decompression step (the size limit is overshot by at most this much).
    read_chunk_bytes: int = 64 * 1024
    inflate_step_bytes: int = 64 * 1024
    # --- the Redis index ---
    redis_lock_ms: int = 60_000  # a writer that dies frees the index after this long
    redis_lock_wait_s: float = 60.0  # as long as the SQLite store waits for a busy file
    redis_band_slice: int = 100_000  # band entries per MULTI/EXEC (~1.4 MB sent); the lock is renewed in each
    # Band entries per bucket (redis_buckets: strings of 12-byte entries). A lookup reads its key's
    # whole bucket, so the size is set by scan latency: at 1 M paragraphs (bench/scale.py, a shared
    # machine) 128 made a page's lookups read ~2 MB and scans 2x slower than SQLite's; at 64 they are
    # as fast. Writing costs about the same at any size (rounds below are counted in buckets).
    redis_bucket_entries: int = 64
    redis_split_batch: int = 2048  # buckets split per MULTI/EXEC (each read and rewritten, ~1 KB)
    # A round of writes (documents committed together) ends when it holds this many entries per bucket
    # of the band table, so each APPEND carries several entries: at 1 M paragraphs a batch of 500
    # documents would give ~1 per bucket; rounds of 4 gave 4.4 (9.8 M APPENDs for 43 M entries, 16 s
    # of the server's time, and ~1 us of the writer's Python each); 12 with the rest of round 3 cut the
    # build from 67 to 41-44 s (bench/scale.py, 1 M paragraphs, quiet machine). Small indexes commit
    # every batch. Capped for the writer's memory (a round keeps ~20 bytes per entry, and adding them
    # sorts ~40 more): 6 M gave the speed of 8 M and 12 M at 1 M paragraphs (~8 entries per APPEND at
    # the end), with 660 MB of writer RSS where 8 M took 760 and 12 M 800.
    redis_round_per_bucket: int = 12
    redis_round_entries: int = 6_000_000
    # Parts signed ahead of the writer, per signing worker, for a Redis index: committing a round
    # takes the writer 2-4 s at 1 M paragraphs, during which 2 per worker (the SQLite store's) left
    # the workers idle for ~12 s of a 46 s build; 16 keep them signing (~2.5 MB a part of 250
    # documents); 24 was no faster.
    redis_parts_ahead: int = 16
    # The same for an embedded index, whose writer commits each part in one short transaction.
    sqlite_parts_ahead: int = 2
    redis_read_chunk: int = 500  # documents fetched per round trip
    # --- alignment (PAN strategy) ---
    # Cells of one block of the sentence-similarity matrix: bounds memory on book-length pairs.
    pan_block_cells: int = 4_000_000
    # --- reports and terminal output ---
    slug_chars: int = 48  # the readable end of a page report's file name
    sources_shown: int = 50  # sources listed on the report's index page
    context_chars: int = 160  # source text shown either side of a matched passage
    show_chars: int = 4000  # longest passage shown whole in the side-by-side view
    excerpt_chars: int = 60  # excerpt of a passage in `detector align`'s text output
    related_shown: int = 5  # further places listed after a finding in `check`'s text output
    stale_shown: int = 5  # stale decisions named on the text output's line; the rest are counted
    # Elements nest no deeper than this, as in browsers' tree builders (bounds every ancestor walk).
    max_html_depth: int = 512
    # Digits shown for "similarity x < threshold": values in the JSON are rounded to 4 places, so
    # two of them differ by then; 10 places is as far as any similarity here is meaningful.
    max_compared_digits: int = 10
    # A repeated phrase grows into a readable topic term of at most this many characters.
    topic_word_max_chars: int = 4


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str
    # Seconds between two requests to one host (--delay); robots.txt Crawl-delay wins when longer.
    delay: float = 1.0
    # --crawl: at most this many page URLs are requested (robots.txt and sitemaps not counted).
    max_pages: int = 200
    # Bytes of a page after content decoding (the same limit as files: Settings.max_page_bytes).
    max_page_bytes: int = 20_000_000
    # Seconds for connecting and for each read; a live server answers in well under a second.
    request_timeout: float = 10.0
    # Seconds for one whole response: a server trickling a byte at a time cannot hold the crawl.
    # 30 s downloads 20 MB on a 5 Mbit/s link.
    page_deadline: float = 30.0
    # Redirects followed for one URL (Chrome follows 20; 5 is what RFC 9309 asks for robots.txt).
    max_redirects: int = 5
    # Retries of a 429 or 503 answer, waiting Retry-After or else 1, 2, 4 s times the delay.
    max_retries: int = 3
    # Retry-After longer than this is not waited for: the page fails (a polite crawler gives up).
    max_retry_after: float = 60.0
    # robots.txt beyond 500 KiB is ignored, as RFC 9309 allows (Google reads the same amount).
    max_robots_bytes: int = 512_000
    # Sitemaps fetched per host, nested indexes included; 50 MB each is the sitemaps.org maximum.
    max_sitemaps: int = 20
    max_sitemap_bytes: int = 50_000_000
    # Links kept from one page, and URLs waiting at once: a hostile page cannot fill memory.
    max_links_per_page: int = 5_000
    max_queue: int = 100_000
    # Links longer than this are skipped (browsers and servers refuse far shorter ones in practice).
    max_url_chars: int = 2_000


@dataclass(frozen=True)
class DateSettings:
    # The web of news pages starts about here; htmldate uses the same floor. Earlier "dates"
    # on the 64 gne-html pages are all ids or copyright spans, never a publication date.
    earliest_year: int = 1995
    # A page dated tomorrow in UTC may be today where it was written (UTC+14 at most).
    future_days: int = 1
    # A date line is short: 发布时间：2019-09-26 10:56:28 来源：证券时报网 作者：… is about 40
    # characters; the longest byline on gne-html is 75. Longer blocks are prose, whose dates
    # are events, not the publication.
    max_line_chars: int = 80
    # ... and a shorter main block that ends a sentence is the article's first paragraph, from
    # this size (the smallest lead paragraph on gne-html is 30 characters).
    min_prose_chars: int = 20
    # htmldate's fallback parses the page again with its own heuristics (1.8 s on the largest
    # gne-html page, 400 KB, with extensive search): pages larger than this skip it.
    htmldate_max_chars: int = 2_000_000
    # JSON-LD scripts larger than this (no real one is near it) are not parsed.
    json_ld_max_chars: int = 200_000
