BBBB BBBBXX XXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBBXX
    XXXX gettext(u'Your data and our partners') XXXXX
    XXX gettext(u'Which companies may receive your data, what you allowed, and what was provided.') XXXX
  XXXX
