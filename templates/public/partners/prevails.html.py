BBBB BBBBBBBBBBBBBBBBBBBBBBBB BB BBBBBB BBBB BB BBBBXX XXXXXXXXXXXXXXX gettext(u'This English page is a translation for convenience; the Japanese version prevails.') XXXXBBBBB
