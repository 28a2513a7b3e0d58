/**
 * E-mail domains of newsrooms → the outlet's name, used to name the originating outlet when the
 * copy names only a reporter's address (`kim.sarah@joongang.co.kr` → `JoongAng Daily`).
 * Subdomains match their parent (`news.ap.org` → `ap.org`).
 */
const OUTLETS: Record<string, string> = {
  'joongang.co.kr': 'JoongAng Daily',
  'koreajoongangdaily.com': 'JoongAng Daily',
  'yna.co.kr': 'Yonhap',
  'yonhapnews.co.kr': 'Yonhap',
  'koreaherald.com': 'The Korea Herald',
  'heraldcorp.com': 'The Korea Herald',
  'koreatimes.co.kr': 'The Korea Times',
  'chosun.com': 'The Chosun Ilbo',
  'donga.com': 'The Dong-A Ilbo',
  'hani.co.kr': 'The Hankyoreh',
  'ap.org': 'The Associated Press',
  'reuters.com': 'Reuters',
  'thomsonreuters.com': 'Reuters',
  'afp.com': 'AFP',
  'dpa.com': 'dpa',
  'dpa.de': 'dpa',
  'efe.com': 'EFE',
  'efe.es': 'EFE',
  'pa.media': 'PA Media',
  'pressassociation.com': 'PA Media',
  'aap.com.au': 'AAP',
  'ansa.it': 'ANSA',
  'kyodonews.jp': 'Kyodo News',
  'kyodo.co.jp': 'Kyodo News',
  'jiji.co.jp': 'Jiji Press',
  'xinhuanet.com': 'Xinhua',
  'news.cn': 'Xinhua',
  'bloomberg.net': 'Bloomberg',
  'bloomberg.com': 'Bloomberg',
  'tt.se': 'TT',
  'ntb.no': 'NTB',
  'ritzau.dk': 'Ritzau',
  'stt.fi': 'STT',
  'anp.nl': 'ANP',
  'belga.be': 'Belga',
  'apa.at': 'APA',
  'sda-ats.ch': 'Keystone-SDA',
  'keystone-sda.ch': 'Keystone-SDA',
  'lusa.pt': 'Lusa',
  'ctk.cz': 'ČTK',
  'pap.pl': 'PAP',
  'tass.ru': 'TASS',
  'ptinews.com': 'PTI',
  'bernama.com': 'Bernama',
  'antaranews.com': 'Antara',
  'cna.com.tw': 'CNA',
  'scmp.com': 'South China Morning Post',
  'nytimes.com': 'The New York Times',
  'washpost.com': 'The Washington Post',
  'washingtonpost.com': 'The Washington Post',
  'theguardian.com': 'The Guardian',
  'bbc.co.uk': 'BBC',
  'cnn.com': 'CNN',
  'latimes.com': 'Los Angeles Times',
};

/** The outlet behind an e-mail address or domain, if it is a known newsroom. */
export function outletForEmail(emailOrDomain: string): string | undefined {
  let domain = emailOrDomain.slice(emailOrDomain.lastIndexOf('@') + 1).toLowerCase().trim();
  while (domain.includes('.')) {
    const hit = OUTLETS[domain];
    if (hit) return hit;
    domain = domain.slice(domain.indexOf('.') + 1);
  }
  return undefined;
}

/** Agency names as they appear in datelines and credits → a display name. */
const AGENCIES: Record<string, string> = {
  yonhap: 'Yonhap',
  ap: 'The Associated Press',
  'associated press': 'The Associated Press',
  reuters: 'Reuters',
  afp: 'AFP',
  dpa: 'dpa',
  efe: 'EFE',
  pa: 'PA Media',
  aap: 'AAP',
  ansa: 'ANSA',
  kyodo: 'Kyodo News',
  xinhua: 'Xinhua',
  bloomberg: 'Bloomberg',
  upi: 'UPI',
  tass: 'TASS',
  kcna: 'KCNA',
  'joongang daily': 'JoongAng Daily',
  'korea joongang daily': 'JoongAng Daily',
  tt: 'TT',
  ntb: 'NTB',
};

/** Display name for an agency named in a dateline, e.g. `(Yonhap)` → `Yonhap`; unknown names pass through. */
export function agencyName(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  return AGENCIES[key] ?? raw.trim();
}
