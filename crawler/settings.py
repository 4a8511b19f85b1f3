"""Scrapy settings of the xxgk crawler (``scrapy.cfg`` points here; the CLI starts from the same module)."""

from xxgk import parsers

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "xxgk/0.1 (+https://github.com/xxgk-project/xxgk; open-government report research)"
ROBOTSTXT_OBEY = True

# Politeness: adaptive delay per host, few parallel requests per host.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
# Strict per-host rate (requests/s, 0 = off): one request at a time, the next 1/rate s after the previous response
# (crawler.hostgate); for a crawl bound by a known rate limit, instead of AutoThrottle and DOWNLOAD_DELAY.
XXGK_HOST_RATE = 0.0

# Retries: transient errors and 403 (often a momentary block) are retried with exponential backoff;
# 412 is an anti-bot challenge that needs a browser and is never retried.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429, 403]
XXGK_RETRY_BACKOFF_BASE = 1.0
XXGK_RETRY_BACKOFF_MAX = 30.0
XXGK_RETRY_AFTER_MAX = 120.0  # Retry-After honoured up to this many seconds; beyond it the document fails
REDIRECT_MAX_TIMES = 8

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
    "crawler.middlewares.RedirectLoopMiddleware": 650,
    "crawler.hostgate.HostGate": 950,  # last: every request to a host passes it, robots.txt too
}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
# Scrapy's consoles stay off (telnet, and the HTTP remote control that runs code sent to it): a crawler of
# untrusted sites has no use for them, and each would open a listening socket at every start.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "crawler.extensions.JobdirGuard": 0,
    "crawler.extensions.ProgressLog": 500,
    "scrapy.extensions.logstats.LogStats": None,
}

# SCHEDULER / DUPEFILTER_CLASS stay Scrapy's defaults here; a scrapy-redis setup overrides them by settings.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# xxgk's own settings.
XXGK_CONFIG = "config/sites.yaml"
XXGK_DB = "data/xxgk.db"
XXGK_STORE_RUN = 0  # number of the store run to fill; 0: the pipeline opens and closes a run itself
XXGK_MAX_PAGES = 500  # default list-page budget per site
XXGK_PARSER = parsers.PARSER
# Parser processes (0: parse inline), one per usable core: the crawl process needs less than a core of its own
# (measured on 2 cores: 2 workers crawl the demo portal ~20% faster than 1).
XXGK_PARSE_WORKERS = parsers.WORKERS
XXGK_PARSE_PRELOAD = list(parsers.PRELOAD)
# Ceilings of each parser process, enforced by the OS (see xxgk.parsers): address space, CPU seconds per document.
XXGK_PARSE_MEMORY = parsers.MEMORY_LIMIT
XXGK_PARSE_CPU_SECONDS = parsers.CPU_LIMIT
# ... and their CPU priority below the crawl's (nice increment): parsing lags behind, requests go out on time.
XXGK_PARSE_NICE = 10
XXGK_PROGRESS_INTERVAL = 10.0
# Outputs of one callback handled at once: list pages yield a few dozen requests, document pages one item;
# Scrapy starts this many tasks per response, so the default of 100 costs more than it gives.
CONCURRENT_ITEMS = 16
LOG_LEVEL = "INFO"
LOG_VERSIONS: list[str] = []
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the spider logs each final failure with its reason
