BBBB BBBB gettext(u'The supervision review of the entrusted processor %(name)s is due on %(due)s.') SSS SSSSSSSSSSS SSSSSS SS SSS SSSSSSSSS SSSSSSSSS SSSSSSSS SS SSS SS SSSSSSSS
BB BBBBBBB gettext(u'The review date has passed.') 
BBBBB
 gettext(u'Check how the processor handles the data we entrust to it (APPI Art. 25), then record the review on the partner registry page:') 
XXXXXXXXXXXXXXXX

 gettext(u'Privacy portal') 
