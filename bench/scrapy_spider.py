#!/usr/bin/python3
"""scrapy_spider.py -- the Scrapy peer of bench/peers.sh: a CrawlSpider over the simulated
province, doing per page what performance.md's reference row does (fetch, lxml parse, the
title, a date regex), with 128 requests in flight, 2 per host and no delay.

Every site is crawled from its home page through its own links (no host spanning, as
wget -r does without -H and govsweep's crawl does). The sites' names stay in the URLs; a
resolver installed in Scrapy's reactor answers 127.0.0.1 for the hosts of the hosts file
and fails every other name, so nothing can leave the machine, and the URLs carry the
server's port (http://HOST:PORT/...; gs-simsrv drops the port from the Host header).
Scrapy's connection pool and download slots are then keyed by the real host names, as in a
real crawl: 2 connections per host, not 2 in all.

    /usr/bin/python3 bench/scrapy_spider.py --hosts HOSTS.txt --port PORT
        [--concurrency 128] [--per-host 2] [--log-level INFO]

Prints one line "RESULT pages=N requests=N responses=N items=N errors=N" at the end
(pages: responses parsed by the callback). Needs Debian's python3-scrapy (Scrapy 2.8),
run with the system python3, not a virtualenv's.
"""
import argparse
import re
import sys
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.resolver import CachingThreadedResolver
from scrapy.spiders import CrawlSpider, Rule
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

# The dates of government lists and articles: 2021-06-28, 2021/6/28, 2021.06.28, 2021年6月28日.
DATE_RE = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}")


class LoopbackResolver(CachingThreadedResolver):
    """The hosts of the benchmark resolve to 127.0.0.1; any other name fails (no internet)."""

    hosts = frozenset()

    def getHostByName(self, name, timeout=None):
        if name.lower() in self.hosts:
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"{name}: not a host of the benchmark"))


class ProvinceSpider(CrawlSpider):
    """Every page of every site: parse, title, dates; follow the site's own links."""

    name = "province"
    rules = (
        Rule(LinkExtractor(), callback="parse_page", follow=True, process_request="same_site"),
    )

    def __init__(self, hosts=(), port=80, **kw):
        super().__init__(**kw)
        self.start_urls = [f"http://{h}:{port}/" for h in hosts]
        self.pages = 0
        self.items = 0

    def start_requests(self):
        # Through the duplicate filter (Scrapy's default start requests bypass it), so that
        # a home page's own link to "/" does not fetch it a second time.
        for url in self.start_urls:
            yield Request(url)

    def same_site(self, request, response):
        """Follow a link only within the site it is on, as wget -r does without -H."""
        if urlsplit(request.url).netloc == urlsplit(response.url).netloc:
            return request
        return None

    def parse_start_url(self, response):
        return self.parse_page(response)

    def parse_page(self, response):
        # response.xpath parses the page with lxml once (the link extractor reuses it)
        title = response.xpath("//title/text()").get(default="")
        dates = DATE_RE.findall(response.text)
        self.pages += 1
        self.items += 1
        yield {"url": response.url, "title": title.strip(), "dates": len(dates)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", required=True, help="file of site host names, one a line")
    ap.add_argument("--port", type=int, required=True, help="the server's HTTP port")
    ap.add_argument("--concurrency", type=int, default=128)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--log-level", default="INFO")
    args = ap.parse_args()
    with open(args.hosts, encoding="utf-8") as f:
        hosts = [line.strip() for line in f if line.strip()]
    if not hosts:
        print("scrapy_spider: no hosts", file=sys.stderr)
        return 2
    LoopbackResolver.hosts = frozenset(h.lower() for h in hosts)

    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
            "DOWNLOAD_DELAY": 0,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "DNS_RESOLVER": LoopbackResolver,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": args.log_level,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    crawler = process.create_crawler(ProvinceSpider)
    process.crawl(crawler, hosts=hosts, port=args.port)
    process.start()
    stats = crawler.stats.get_stats()
    errors = sum(v for k, v in stats.items() if k.startswith("downloader/exception_count"))
    print(
        "RESULT pages={} requests={} responses={} items={} errors={}".format(
            crawler.spider.pages,
            stats.get("downloader/request_count", 0),
            stats.get("response_received_count", 0),
            stats.get("item_scraped_count", 0),
            errors,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
