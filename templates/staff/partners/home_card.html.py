BBBB BBBBXX XXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBBBBBBXXXXXX gettext(u'Partners') XXXXXXXX gettext(u'Registry, provision records, exceptions and de-identified exports.') XXXXXXXX
