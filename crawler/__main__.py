"""``python -m crawler``: one crawl into the store, in the child process ``crawler.run.crawl`` starts.

Everything happens under the ``__main__`` guard: parser processes import the main module again (as
``__mp_main__``), and must not pay for Scrapy there.
"""

if __name__ == "__main__":
    import sys

    from crawler.run import main

    sys.exit(main())
