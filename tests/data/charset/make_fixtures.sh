#!/bin/sh
# make_fixtures.sh -- rebuild the charset fixtures from their UTF-8 sources.
#
# Each fixture NAME has NAME.utf8.html (the text we expect out of gs_charset_to_utf8,
# UTF-8) and NAME.html (the bytes a server would send). The bytes are committed, so the
# tests do not depend on this script or on iconv's version; run it only to change them.
# Bodies come from src/*.inc; heads are written here.
set -eu
cd "$(dirname "$0")"
hans=src/body_zh_hans.inc
hant=src/body_zh_hant.inc

page() { # page HEAD-LINE BODY-FILE > out: a government-style page around a body
    case "$2" in
    *hant*) title='政務公開' ;;
    *) title='政务公开' ;;
    esac
    printf '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n%s\n<title>%s</title>\n</head>\n<body>\n' "$1" "$title"
    cat "$2"
    printf '</body>\n</html>\n'
}

# GBK with <meta charset="gbk">.
page '<meta charset="gbk">' $hans > gbk_meta.utf8.html
iconv -f UTF-8 -t GBK gbk_meta.utf8.html > gbk_meta.html

# GB18030 with characters outside GBK: U+3400 (CJK Ext. A) and U+20000 (Ext. B, a
# four-byte GB18030 sequence), declared in http-equiv with the attributes reversed.
page '<meta content="text/html; charset=GB18030" http-equiv="Content-Type">' $hans |
    sed 's|<h1>|<h1>㐀𠀀 |' > gb18030_ext.utf8.html
iconv -f UTF-8 -t GB18030 gb18030_ext.utf8.html > gb18030_ext.html

# Big5, declared in upper case, single quotes, unquoted http-equiv.
page "<META HTTP-EQUIV=Content-Type CONTENT='text/html; charset=big5'>" $hant > big5.utf8.html
iconv -f UTF-8 -t BIG5 big5.utf8.html > big5.html

# Big5 bytes under a stale <meta charset="gbk">: the header must win.
page '<meta charset="gbk">' $hant > big5_meta_gbk.utf8.html
iconv -f UTF-8 -t BIG5 big5_meta_gbk.utf8.html > big5_meta_gbk.html

# GBK with no declaration at all: detection.
page '<meta name="keywords" content="政务公开">' $hans > gbk_nodecl.utf8.html
iconv -f UTF-8 -t GBK gbk_nodecl.utf8.html > gbk_nodecl.html

# Big5 with no declaration: detection.
page '<meta name="keywords" content="政務公開">' $hant > big5_nodecl.utf8.html
iconv -f UTF-8 -t BIG5 big5_nodecl.utf8.html > big5_nodecl.html

# Declares UTF-8, is GBK (a CMS switched to UTF-8 over old pages).
page '<meta charset="utf-8">' $hans > utf8_decl_gbk.utf8.html
iconv -f UTF-8 -t GBK utf8_decl_gbk.utf8.html > utf8_decl_gbk.html

# Declares gb2312, is UTF-8 (a template left behind).
page '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' $hans > utf8_decl_gb2312.utf8.html
cp utf8_decl_gb2312.utf8.html utf8_decl_gb2312.html

# UTF-8 with a BOM (and a stale gb2312 meta the BOM overrules); the BOM is not text.
page '<meta charset="gb2312">' $hans > utf8_bom.utf8.html
printf '\357\273\277' | cat - utf8_bom.utf8.html > utf8_bom.html

# UTF-16LE with a BOM.
page '<meta charset="utf-16">' $hans > utf16le_bom.utf8.html
printf '\377\376' > utf16le_bom.html
iconv -f UTF-8 -t UTF-16LE utf16le_bom.utf8.html >> utf16le_bom.html

# A meta inside a comment and inside another tag's attribute is no declaration; the
# real one comes later.
page '<!-- <meta charset="big5"> --><link title="<meta charset=big5>" rel="x"><meta charset=gbk>' $hans > meta_decoys.utf8.html
iconv -f UTF-8 -t GBK meta_decoys.utf8.html > meta_decoys.html

# Plain ASCII, no declaration.
printf '<!DOCTYPE html>\n<html><head><title>Index</title></head><body><p>Hello</p></body></html>\n' > ascii.utf8.html
cp ascii.utf8.html ascii.html
