#!/bin/sh
# make_fixtures.sh -- rebuild the feed fixtures that are not UTF-8 from their UTF-8 sources.
#
# gbk.xml is what an old government CMS serves: GBK bytes under an XML declaration that
# says gb2312 (and 镕, which GBK has and GB2312 lacks, so that reading gb2312 literally
# would fail). The bytes are committed, so the tests depend neither on this script nor on
# iconv's version; run it only to change them.
set -eu
cd "$(dirname "$0")"
iconv -f UTF-8 -t GBK gbk.utf8.xml > gbk.xml
