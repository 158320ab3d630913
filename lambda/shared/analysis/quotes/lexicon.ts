/**
 * Small closed word lists for quote attribution. They are deliberately short: news attribution
 * uses a few dozen reporting verbs and titles, and a list is faster and easier to audit than a model.
 */

const words = (s: string, ...more: ReadonlySet<string>[]): Set<string> => new Set([...s.trim().split(/\s+/), ...more.flatMap((m) => [...m])]);

/** Reporting verbs in every form a news sentence uses them ("said", "says", "saying", "told"). */
export const CUE_VERBS = words(`
  say says said saying tell tells told telling add adds added adding ask asks asked asking
  write writes wrote writing state states stated stating note notes noted noting explain explains explained explaining
  argue argues argued arguing insist insists insisted insisting declare declares declared declaring
  continue continues continued continuing reply replies replied replying respond responds responded responding
  recall recalls recalled recalling warn warns warned warning claim claims claimed claiming
  tweet tweets tweeted tweeting post posts posted posting announce announces announced announcing
  acknowledge acknowledges acknowledged acknowledging admit admits admitted admitting suggest suggests suggested suggesting
  quip quips quipped quipping joke jokes joked joking complain complains complained complaining
  charge charges charged charging counter counters countered countering concede concedes conceded conceding
  observe observes observed observing remark remarks remarked remarking predict predicts predicted predicting
  promise promises promised promising vow vows vowed vowing urge urges urged urging
  call calls called calling describe describes described describing dub dubs dubbed dubbing label labels labeled labelled labeling
  shout shouts shouted shouting yell yells yelled yelling exclaim exclaims exclaimed exclaiming scream screamed screams
  muse muses mused musing lament laments lamented lamenting boast boasts boasted boasting brag brags bragged bragging
  pledge pledges pledged pledging emphasize emphasizes emphasized emphasizing emphasise emphasised stress stresses stressed stressing
  contend contends contended contending maintain maintains maintained maintaining testify testifies testified testifying
  caution cautions cautioned cautioning conclude concludes concluded concluding opine opines opined
  scoff scoffs scoffed scoffing retort retorts retorted retorting interject interjected interjects
  snap snapped snaps mock mocks mocked mocking deride derides derided deriding dismiss dismissed dismisses dismissing
  assert asserts asserted asserting reiterate reiterates reiterated reiterating confirm confirms confirmed confirming
  deny denies denied denying demand demands demanded demanding question questioned questions questioning wonder wonders wondered wondering
  elaborate elaborated elaborates clarify clarified clarifies whisper whispered whispers chant chants chanted chanting
  accuse accuses accused accusing praise praises praised praising blast blasts blasted blasting slam slams slammed slamming
  criticize criticizes criticized criticizing criticise criticised lash lashed thunder thundered thunders
  gush gushed gushes sneer sneered sigh sighed grumble grumbled griped gripe quote quoted quotes
  reply replied begin began begins read reads recount recounted recounts reason reasoned reasons
  insinuate insinuated proclaim proclaimed proclaims proclaiming announce announced urge urged
  tout touted touts touting hail hailed hails hailing decry decried decries decrying
  repeat repeats repeated repeating agree agrees agreed agreeing disagree disagreed disagrees
  speculate speculated speculates surmise surmised acknowledge acknowledged
  report reports reported reporting speak speaks spoke speaking
  brand brands branded branding liken likens likened likening laud lauds lauded lauding term terms termed
  denounce denounces denounced denouncing condemn condemns condemned condemning characterize characterized characterizes characterizing
  press pressed presses pressing answer answered answers answering exhort exhorted exhorts
  beam beamed beams beaming sing sang sings singing interrupt interrupted interrupts
  concur concurred advise advised advises advising inform informed informs assure assured assures assuring
  bark barked barks retaliated reacted cite cites cited citing
  growl growled growls huff huffed riff riffed riffs plead pleaded pleads implore implored scold scolded scolds chide chided chides
`);

/** Nouns for a written or spoken statement: "Trump's statement said", "in a tweet, Trump …". */
export const COMM_NOUNS = words(`
  statement tweet tweets letter post email e-mail memo release ad advert video speech remarks website report book
  op-ed column message interview filing complaint lawsuit note essay editorial transcript press
`);

/** Documents and broadcasts that the news makes speak ("the letter says"): their author is the source. */
export const DOCUMENT_NOUNS = new Set([...COMM_NOUNS, ...words(`
  article story piece book brief ruling opinion decision editorial clip ads commercial spot footage bylaws
  document documents filing letter petition memo notice order verdict review profile headline caption posts page
  blog newsletter resolution study analysis survey poll
`)]);

/** Verbs that put a document out: "X issued a statement", "X sent a letter". */
export const ISSUE_VERBS = words('issued issues released releases sent sends wrote writes published publishes posted posts filed files signed signs aired airs ran runs put distributed circulated');

/** Documents of one kind, which "the <noun>" may take up: "Mariano wrote a memoir … the book said". */
const DOCUMENT_KINDS = [
  words('book books memoir memoirs autobiography biography novel'),
  words('article articles story stories piece column op-ed editorial'),
  words('report reports study studies analysis survey'),
];

/** Whether `word` names the same kind of document as `head` ("memoir" for "the book"). */
export function sameDocument(head: string, word: string): boolean {
  return word === head || word === `${head}s` || DOCUMENT_KINDS.some((k) => k.has(head) && k.has(word));
}

/** Verbs (past tense only: "rules" and "orders" are nouns too) whose subject issued a document: "the court ruled …" ¶ "… said the ruling". */
export const DOCUMENT_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['ruling', words('ruled')], ['decision', words('decided ruled')], ['verdict', words('ruled')],
  ['order', words('ordered')], ['opinion', words('ruled wrote')], ['statement', words('stated')],
]);

const NEWSPAPER_NAMES = words('times post journal tribune herald gazette news daily');

/** For "the union", "the agency", …: the words a body's name of that kind holds ("Association of Flight Attendants"). */
export const BODY_KINDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['union', words('union association federation guild brotherhood teamsters')],
  ['agency', words('agency administration')],
  ['ministry', words('ministry department office')],
  ['department', words('department ministry')],
  ['court', words('court circuit tribunal')],
  ['company', words('company corp. corp corporation inc. inc co. group')],
  ['committee', words('committee commission')],
  ['commission', words('commission committee')],
  ['council', words('council')],
  ['bank', words('bank fund')],
  ['newspaper', NEWSPAPER_NAMES],
  ['paper', NEWSPAPER_NAMES],
]);

/** Person-role head nouns that may stand before a name ("press secretary Sarah Sanders"). */
export const ROLE_HEADS = words(`
  president secretary spokesman spokeswoman spokesperson adviser advisor manager director chairman chairwoman chair
  senator sen. rep. representative congressman congresswoman governor gov. mayor leader candidate nominee hopeful
  strategist analyst pollster official aide attorney lawyer professor economist chief minister ambassador commissioner
  judge justice speaker treasurer founder co-founder ceo executive host anchor correspondent reporter editor
  columnist writer author commentator pundit activist organizer organiser chairperson whip general gen. admiral adm.
  sheriff officer captain detective prosecutor counsel head member fellow researcher scientist expert consultant
  president-elect vice-president king queen prince pope rabbi pastor reverend rev. bishop cardinal dr. mr. mrs. ms. miss
  lt. col. sgt. capt. maj. gov governor-elect senator-elect deputy surrogate supporter backer donor voter resident
  student teacher principal coach owner publisher producer comedian actor actress singer rapper musician
  lawmaker legislator delegate surgeon doctor physician nurse historian biographer
  premier chancellor diplomat envoy negotiator operative staffer consultant lobbyist
  operator worker driver farmer engineer pilot miner firefighter electrician mechanic technician clerk chef designer
  architect trader banker investor vendor fisherman councillor councilman councilwoman inspector planner forecaster
  meteorologist glaciologist climatologist labourer laborer welder dockworker employee entrepreneur
`);

/** Words that may modify a role before its head ("White House press secretary", "former campaign manager"). */
export const ROLE_MODIFIERS = words(`
  press campaign former deputy senior chief communications national political top vice assistant associate acting
  executive general presidential republican democratic gop independent junior longtime long-time veteran state federal
  foreign defense security policy digital media economic legal special principal managing white house senate
  majority minority party county city district regional finance finances field research polling conservative liberal
  progressive interim co first lady news opinion contributing staff outgoing incoming then- then freshman
  union council crane dock port transit factory farm hospital school police fire bus truck train tram
`);

/** Capitalised titles that introduce a name ("Sen. Marco Rubio", "President Donald Trump"). */
export const NAME_TITLES = words(`
  mr. mrs. ms. miss dr. prof. sen. rep. gov. gen. lt. col. sgt. capt. maj. adm. rev. fr. pres. hon. amb. atty. cmdr. supt. det.
  mr mrs ms dr sen rep gov gen
  president vice secretary senator representative congressman congresswoman governor mayor judge justice chairman chairwoman
  speaker leader minister ambassador director commissioner attorney chief sheriff pope king queen prince princess lord lady
  sir dame professor reverend rabbi pastor bishop cardinal general admiral colonel captain major sergeant lieutenant
  candidate nominee premier chancellor
  prof cllr baroness baron viscount earl duke duchess countess insp supt det col capt lt maj adm rev fr
`);

/** Titles that make the name itself when only a surname follows: "Lord Teverson", "Baroness Hale". */
export const PEERAGE = words('lord lady baroness baron viscount earl duke duchess countess sir dame');

/** Titles that say a person's gender. */
export const MALE_TITLES = words('mr. mr messrs. sir king prince lord baron earl viscount duke spokesman chairman congressman councilman father brother son husband widower businessman');
export const FEMALE_TITLES = words(
  'mrs. mrs ms. ms miss dame queen princess lady baroness countess duchess spokeswoman chairwoman congresswoman councilwoman businesswoman mother sister daughter wife widow',
);

/** Capitalised words that open sentences or name days, months and the like: never part of a person's name. */
export const NOT_NAME = words(`
  the a an and but or nor so yet for in on at to of by with from as if when while after before since because though
  although unless until than then this that these those there here it its he she they we i you his her their our my your
  what who whom whose which where why how all some many most more much few both each every either neither no not
  one two three four five six seven eight nine ten first second third last next other another such only also even
  still just now today tonight yesterday tomorrow meanwhile however moreover instead indeed perhaps maybe yes well
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december jan feb mar apr jun jul aug sep sept oct nov dec
  asked speaking according said says like unlike despite during over under about into through against between among
  within without toward towards upon again once later earlier soon already never always often sometimes
  mr mrs ms dr sen rep gov gen
  update updated editor note read also watch click breaking exclusive photo video related
  do does did is are was were be been has have had will would can could should shall might must
  let lets let's don't doesn't didn't isn't aren't wasn't can't won't
  oh hey hi hello thanks thank please dear ok okay
  god whether whatever whoever wherever unless nobody somebody someone anyone anybody everyone everybody nothing something none
  alongside amid amidst across around beyond besides including regarding concerning throughout except beneath behind
  inside outside near following
`);

/** The US states' name words, which name places and, inside longer names, organisations ("Texas Tribune"). */
export const US_STATES = words(`
  iowa hampshire carolina nevada florida ohio texas california virginia york jersey pennsylvania michigan wisconsin
  arizona colorado georgia illinois indiana kentucky louisiana maryland massachusetts minnesota missouri montana
  nebraska oklahoma oregon tennessee utah vermont washington alabama alaska arkansas connecticut delaware hawaii
  idaho kansas maine mississippi wyoming dakota
`);

/** Words that make up place names ("North Carolina", "Salt Lake City", "Fort Worth"). */
export const PLACE_PARTS = words(`
  north south east west northern southern eastern western new los las san santa fort city county state island islands
  mountain river lake valley beach park street avenue road square hill
`);

/** Words for a people, a faith or a party: they describe who someone is, and never name a speaker ("Chechen Muslim"). */
export const PEOPLE_ADJECTIVES = words(`
  muslim muslims christian christians jewish jews catholic catholics evangelical evangelicals arab arabs hispanic hispanics
  latino latinos latina latinas asian african european mexican mexicans chinese russian russians british french german
  israeli israelis palestinian palestinians syrian syrians iranian iraqi japanese korean cuban canadian indian pakistani
  turkish islamic islamist islamists american americans chechen orthodox protestant protestants sunni shia shiite kurdish
  spanish italian greek polish irish scottish welsh english dutch swedish norwegian danish vietnamese egyptian afghan
  ukrainian australian brazilian venezuelan nigerian kenyan filipino haitian somali yemeni libyan lebanese jordanian
  democrat democrats republican republicans democratic
`);

/** Name words that mark an organisation, place or thing rather than a person. */
export const ORG_WORDS = words(`
  house senate congress department committee party news times post journal network center centre institute university
  college foundation association council agency bureau office court campaign group company corp corporation inc co
  fund bank administration club union commission board service media magazine channel radio tv review watch pac
  coalition alliance federation organization organisation society project initiative hall church republicans democrats
  gop america american americans states united kingdom korea china russia iran israel mexico canada europe
  european union nations city county state street avenue road times square journal tribune herald gazette
  daily weekly report reports press fox cnn msnbc nbc abc cbs npr pbs bbc reuters ap politico breitbart twitter
  facebook google youtube instagram amazon apple microsoft white pentagon kremlin capitol hill airport station
  school academy army navy force forces air marines guard police fbi cia nsa doj dhs epa irs nasa nato un eu
  democratic republican republic national international federal supreme
  tea senate's day night show live meet nation today morning sunday program programme debate summit convention
  caucus caucuses primary primaries act bill law amendment constitution
  obamacare medicare medicaid isis isil al qaeda taliban hamas hezbollah
  street wall stock exchange market
  republican-leaning democratic-leaning conservative liberal libertarian
`, PEOPLE_ADJECTIVES, US_STATES, PLACE_PARTS);

/** Common first names with a gender hint, for pronoun agreement ("he" cannot be Sarah Sanders). */
export const MALE_FIRST = words(`
  aaron adam alan albert alex alexander andrew andy anthony antonin arthur barack ben benjamin bernie bernard bill billy
  bob bobby brad bradley brandon brian bruce bryan carl carlos charles charlie chris christopher chuck clarence corey
  craig dan daniel danny darrell dave david dennis derek dick don donald doug douglas duncan dwight ed eddie edward eric
  ernest eugene frank franklin fred gary gene george gerald glenn gordon greg gregory harold harry henry howard ian
  jack jacob jake james jared jason jay jeb jeff jeffrey jeremy jerry jesse jim jimmy joe joel john johnny jon jonathan
  jorge jose joseph josh joshua juan justin keith ken kenneth kevin kim kirk larry lawrence lee lindsey louis luke
  marco mark martin matt matthew max michael mick mike mitch mitt nathan neil newt nick nicholas orrin patrick paul
  pete peter phil philip ralph randy rand raymond reince richard rick rob robert roger ron ronald ross roy rudy rush russell
  ryan sam samuel scott sean sergey sherrod stephen steve steven stuart ted thomas tim timothy todd tom tommy tony
  travis trey troy vice victor vince vincent vladimir wayne william willie xi ahmed ali mohammed muhammad hassan omar
  jong-un jeh rex reed rahm marco jose luis mario rafael mitchell chad kyle dustin cory 
  sheldon lou rupert roger sean hugh heath benny lyndon jimmy abraham ulysses theodore woodrow calvin herbert
  dwight gerald rudolph rudolf lamar elijah adam bret brit tucker bret chuck mo moe ari ezra ezekiel hakeem
  eliot elliott jerome darren trent colin conor connor liam noah owen evan ethan logan caleb hunter beau
  tim newt 
`);
export const FEMALE_FIRST = words(`
  abigail alice alicia alison allison amanda amy andrea angela ann anna anne barbara betsy betty beverly brenda
  carly carol caroline catherine cathy cheryl christina christine cindy claire claudia condoleezza dana debbie deborah
  debra denise diana diane donna dolores doris dorothy elaine elena elizabeth ellen emily erin evelyn frances gail
  gina gloria hannah heather heidi helen hillary hope huma irene jackie jane janet janice jean jeanne jennifer jessica
  jill joan joanne jodi joni josephine joyce judith judy julia julie karen kate katherine kathleen kathy katie
  kellyanne kelly kirsten kristen laura lauren linda lisa liz loretta lori lynn madeleine marcia margaret maria marie
  marilyn marsha martha mary megan megyn melania melissa michele michelle mika monica nancy natalie nicole nikki nina
  pam pamela patricia patty paula peggy penny rachel rebecca renee rhonda rita rosa rose ruth sally samantha sandra
  sara sarah sharon shirley stephanie susan susana suzanne tammy tara teresa theresa tiffany tina tulsi valerie
  victoria virginia wendy whitney yvonne zoe ivanka chelsea hope kamala elizabeth maxine dianne jeanine 
  omarosa sheryl oprah beyonce taylor dana kristi kristen katy kay kaye mia olivia ava emma sophia isabella
  tamara michele hilary jeanne betsy sarah-huckabee amy heidi joni shelley susie lindsay maggie molly
  brooke jenna hoda savannah norah gwen gretchen greta dana bree amber ashley brittany courtney crystal
`);

/** First names borne by men and women alike in the news: they say nothing about gender. */
export const UNISEX_FIRST = words('terry jordan taylor morgan jean leslie jamie casey robin pat alexis kerry sandy shannon drew');

/** Pronouns that can stand for a speaker, by gender. */
export const MALE_PRONOUNS = words('he him his');
export const FEMALE_PRONOUNS = words('she her hers');

/** Name words of places, which never speak ("Texas", "North Korea", "Salem, New Hampshire"). */
export const PLACE_WORDS = words(`
  america united states kingdom korea china russia iran israel mexico canada europe britain england scotland wales ireland
  france germany italy spain japan india pakistan afghanistan iraq syria turkey egypt saudi arabia cuba venezuela brazil
  ukraine burma myanmar australia africa asia chicago tulsa charlotte chelsea manhattan brooklyn novi
  london paris berlin moscow beijing tokyo philadelphia boston atlanta dallas houston denver seattle miami
  d.c. dc u.s. us uk
  ala ariz ark calif colo conn fla okla tenn minn mich wis nev neb wyo
`, US_STATES, PLACE_PARTS);

/** Words that make a capitalised name an organisation that can speak ("the Milwaukee Journal Sentinel", "IMF"). */
export const ORG_HEADS = words(`
  house senate congress department committee party news times post journal network center centre institute university
  college foundation association council agency bureau office court campaign group company corp corporation inc co
  fund bank administration club union commission board service media magazine channel radio tv review watch pac
  coalition alliance federation organization organisation society project initiative church republicans democrats gop
  tribune herald gazette sentinel daily weekly press fox cnn msnbc nbc abc cbs npr pbs bbc reuters ap politico breitbart
  politifact twitter facebook google pentagon kremlin army navy police fbi cia nsa doj dhs epa irs nasa nato un eu imf
  ministry government parliament assembly nations guard marines force forces
`);
