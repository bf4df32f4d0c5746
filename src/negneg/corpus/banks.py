"""Filler sentences for the offline generator, by register (see :mod:`negneg.corpus.phrasing`).

Every template is one sentence that says nothing about the claim, so it can sit between claim
sentences the way ordinary content does in a real document. Templates are built from short
parts drawn from the word lists in :data:`LISTS` (``{role}``, ``{mood}``, ``{when}`` …) so that
the same template rarely yields the same 4-gram twice: that is what keeps hundreds of generated
documents from sharing passages.

Slots: ``{author}``, ``{outlet}``, ``{town}``, ``{org}``, ``{doc_date}``, ``{host}``, ``{guest}``,
``{op}`` are fixed per document; ``{person}``, ``{place}``, ``{num}``, ``{date}`` and every
:data:`LISTS` name are fresh at each use; ``{title}``, ``{name}``, ``{short}`` come from the claim.
"""

from __future__ import annotations


def _l(text: str) -> list[str]:
    return [" ".join(x.split()) for x in text.split(";") if x.strip()]


LISTS: dict[str, list[str]] = {
    "role": _l("""
        retired engineer; bookshop owner; season-ticket holder; school governor; parish councillor; night-shift
        nurse; taxi driver; sixth-form teacher; allotment secretary; café owner; student; postwoman; butcher;
        youth worker; church warden; retired headteacher; physiotherapist; local historian; choir director;
        lollipop lady; charity shop volunteer; dog walker; radio presenter; hairdresser; pharmacist; librarian;
        plumber; market trader; carer; swimming coach; landlord of the Crown; bus driver; joiner; junior doctor;
        florist; estate agent; farmer; brewer; tour guide; museum volunteer
    """),
    "story": _l("""
        the coverage; the reaction; the build-up; the aftermath; the whole business; the week that followed;
        the fuss; the conversation in town; the headlines; the speculation; the first reports; the mood in the
        pub; the queue outside; the phone-ins; the chatter at the school gate; the endless replays; the commentary;
        the press pack; the online arguments; the souvenir stalls
    """),
    "mood": _l("""
        electric; surreal; exhausting; oddly calm; a bit much; genuinely moving; chaotic; good-natured;
        completely over the top; strangely quiet; tense; giddy; hard to describe; unforgettable; bewildering;
        festive; loud; overwhelming; heart-warming; slightly absurd; raw; hopeful; noisy but friendly;
        a blur; like a carnival; wonderfully daft; unlike anything before
    """),
    "when": _l("""
        for most of the evening; in the days afterwards; for a good fortnight; by the end of the week; well into
        the night; over the bank holiday; for the rest of the summer; long after the cameras left; that whole
        autumn; every time it came up; on the drive home; for months; before anyone had really taken it in;
        at breakfast the next day; right through the weekend; until the early hours; for years afterwards;
        at every family gathering; during the school run; on the late train back
    """),
    "spot": _l("""
        the café on the corner; the working men's club; the library; the station buffer bar; the bowls club;
        the launderette; the chip shop queue; the leisure centre; the church hall; the bus shelter; the garden
        centre; the sixth-form common room; the staff room; the market square; the Co-op; the barber's; the
        hospital canteen; the pub quiz; the allotments; the swimming baths
    """),
    "activity": _l("""
        walking the dog; queuing for the bus; painting the fence; doing the crossword; ironing; sorting the
        recycling; waiting at the dentist; stuck in traffic; packing for a holiday; making a curry; fixing a
        puncture; tidying the shed; marking homework; hanging out washing; watching the kettle; repotting
        tomatoes; looking after the grandchildren; folding leaflets; on a night shift; on hold to the council
    """),
    "media": _l("""
        the radio; a podcast; the local paper; the evening news; a group chat; the noticeboard at work; a
        documentary; a magazine at the hairdresser's; the breakfast show; a newsletter; a neighbour's phone;
        the big screen in the square; a late-night phone-in; the parish magazine; a colleague's laptop
    """),
    "view": _l("""
        it had been blown out of proportion; nobody would believe it in ten years; it was the best thing to
        happen round here in ages; the details mattered more than the headlines; people were too quick to
        judge; it said a lot about the times; the photographs told the real story; the numbers spoke for
        themselves; it would make a good film one day; the town had handled it well; the experts had been
        oddly quiet; the whole thing was easy to forget now; the younger ones took it in their stride;
        everyone remembered where they were
    """),
    "doing": _l("""
        raising money for the hospice; repainting the community hall; planning the summer fete; reviving the
        choir; restoring the old signal box; running the food bank; clearing the canal towpath; organising a
        quiz night; collecting old photographs; rebuilding the bandstand; starting a repair café; mapping
        the footpaths; recording older residents' memories; knitting for the neonatal unit
    """),
    "tail": _l("""
        which surprised nobody; at least according to a {role} I know; or so I was told; though nobody can quite
        agree why; if memory serves; for what it is worth; much to everyone's relief; as usual; as it turned out;
        according to {person}; which seemed about right; despite the weather; which took some doing; if you can
        believe it; give or take; on a good day; by all accounts; not that anyone was counting; with a bit of luck;
        and then some; by {weekday} at the latest; in the end; which is saying something; as far as anyone
        remembers; more or less
    """),
    "thing": _l("""
        a folding bike; a second-hand piano; a greenhouse; a canal boat; a vintage camera; a season ticket;
        a sourdough starter; a rescue greyhound; an allotment; a secondhand caravan; a pair of hiking boots;
        a set of encyclopaedias; a telescope; a chest freezer; a ukulele
    """),
}

BANKS: dict[str, list[str]] = {
    "news": [
        "[Elsewhere|In other news|Separately], [councillors|residents|traders] in {place} [are still arguing over|will vote next month on|raised concerns about] {topic}.",
        "The [story|piece|report] [drew|attracted|prompted] [{big} comments|hundreds of letters|a flood of messages] [within hours|by the following morning|over the weekend].",
        "[A spokesperson|A press officer|A representative] for {org} [declined to comment|did not respond to requests for comment|said a statement would follow] [on {weekday}|before publication|this week].",
        "[Additional reporting|Research for this article] [by|was contributed by] {person} [in {place}|from {place}|].",
        "{person}, [a|the] {role} [from|in] {place}, said the [mood|atmosphere] had been {mood} {when}.",
        "[Speaking|Talking] [outside|near|at] {spot}, {person} [said|insisted|admitted] that {view}.",
        "[Tickets|Places] for the [event|evening|talk] [at|in] {spot} [sold out|were gone] in [{num} minutes|under an hour|a single morning].",
        "The [figures|numbers] were [compiled|gathered] from [public records|official statements|agency reports] and [have not been|could not be] independently [verified|checked].",
        "[This article|The piece] was [updated|amended] on {date} to [correct a spelling|add a quote|clarify a date|fix a typing error].",
        "The [council|district authority|parish] [meets again|will meet] on {weekday} [to discuss|when it is expected to consider] {topic}.",
        "[Traffic|Parking] [around|near] {spot} was [heavier than usual|restricted|chaotic] {when}.",
        "{person}, who [was|had been] {activity} when the news broke, [said|told us|recalled] it had felt {mood}.",
        "[Local|Small] businesses in {place} [reported|said they saw] [a rise in|a jump in|unusually high] [footfall|takings|bookings] {when}.",
        "[Meanwhile|At the same time], volunteers in {place} [are|have been] {doing} [since {month}|this year|with little fanfare].",
        "[Photographs|Images] [from the day|of the scene] [are available|can be seen] [in our gallery|on the website|in the weekend edition].",
    ],
    "feature": [
        "[The reaction|The response] [in|around] {spot} was {mood}, and [it|the story] [did not go away|kept running|refused to fade] {when}.",
        "[Few|Not many] [people|observers|commentators] [in|around] {place} [saw it coming|would have predicted it|expected it to last].",
        "[I|We] first heard about it [on|from] {media} while {activity}, which [still|somehow] [feels|seems] {mood}.",
        "[What|The thing that] [struck|surprised|stayed with] [me|many people] [most|above all] was {story}, which felt {mood}.",
        "[I|We] [spoke to|interviewed|called] {num} [people|fans|experts|neighbours] [for this piece|while writing this|over two weeks], including a {role} and a {role}.",
        "[Some|Several] of them [asked|preferred] not to be named, [citing|because of] [work|family reasons|the attention it attracted].",
        "A {role} I [met|spoke to|bumped into] [at|in] {spot} [told me|insisted|said] that {view}.",
        "[Either way|Whatever you make of it], {story} [says something|tells us something] about [how we follow news|the appetite for surprise|celebrity culture|the way records are kept].",
        "[It|The coverage] [became|turned into] [a talking point|a meme|a staple of the chat shows] [in|at] {spot} [almost overnight|within a day|by the end of the week].",
        "[On|At] the [ground|scene], [the details|things] looked [rather different|much more ordinary|less dramatic] than {story} suggested.",
        "My [neighbour|sister|colleague|landlord], a {role}, [still|often] [brings it up|mentions it|jokes about it] {when}.",
        "[Looking back|In hindsight|With a bit of distance], {story} [seems|looks|feels] {mood} [now|today|to me].",
    ],
    "encyclopedia": [
        "[This article|This entry] [covers|describes] [the subject|the topic] [as documented in|based on] [contemporary|published] [sources|accounts] and {media}.",
        "[For|On] the [wider|broader] [context|background], see the [related|linked] [articles|entries] [listed below|at the end of this page].",
        "[Accounts|Sources] [differ|vary] [on|in] [minor|some] details such as [exact times|spellings of names|attendance figures|the order of events].",
        "[The|This] [section|entry] [was last|has been] [revised|reviewed|updated] [in {month} {yr}|on {date}] by [a volunteer editor|{person}|the editorial team].",
        "[Contemporary|Later] [commentators|historians|writers] [placed|put] [different|varying] [emphasis|weight] on [the causes|the consequences|its significance|the local reaction].",
        "[Further citations are needed|Citations are needed] [for|in] [parts of|some paragraphs of] [this section|the article].",
        "[Names|Dates] [are given|appear] in the form [they were used|they appeared] in [the original|primary] [records|sources].",
        "[A|The] [fuller|more detailed] [account|treatment] [can be found|appears] in [the works|the books] [listed|cited] under [Further reading|References].",
        "[Public|Popular] [interest|attention] [peaked|was highest] [in {month} {yr}|during {month}|{when}], according to [library loan records|newspaper archives|broadcast logs].",
        "[Local|Regional] [archives|museums] in {place} [hold|keep] [a small collection|several boxes|an oral history project] [relating to|about] the period.",
    ],
    "forum": [
        "[Anyone|Does anyone] [know|remember] [if|whether] [the|that] {place} [branch|shop|club] [is still open|does Sunday hours|changed owners]?",
        "[Sorry|Apologies] if [this|it] has [been posted before|already come up], my search [isn't working|turned up nothing].",
        "[Mods|Moderators], [feel free to|please] [move|merge] [this|the thread] if it's in the wrong [place|section|subforum].",
        "[Lol|Ha], my [dad|mum|uncle|flatmate], a {role}, [brings it up|still talks about it|mentions it] {when}.",
        "[Edit|Update]: [fixed|corrected] a [typo|link|date] [above|in the first post].",
        "[Thanks|Cheers] [for|to everyone for] the [replies|answers|links], [really|very] [helpful|useful|interesting] [thread|discussion].",
        "[Bumping|Reviving] [this|the thread] because [it came up|someone mentioned it|I heard it] [on|in] {media}.",
        "[Not|Slightly] [related|off topic], but [has anyone|have any of you] [tried|been to|seen] the [new|reopened] {place} [bakery|track|cinema|market]?",
        "[Fair point|Good point|That's fair], I [hadn't|never] [thought|looked at it] that way, [though|but] I still think {view}.",
        "I [watched|caught|followed] it [live|on the big screen|on a stream] [at|in] {spot} [with|and] [about {num} people|half the street|my kids], and it was {mood}.",
        "[Honestly|Genuinely] I was {activity} when I [found out|heard], [which|and that] [still|somehow] [feels|seems] {mood}.",
        "[Someone|A {role}] [in|at] {spot} [told me|swore|reckoned] that {view}, [no idea|not sure] if that's true.",
    ],
    "social": [
        "[Morning|Evening|Afternoon] [all|everyone|folks], [coffee|tea] [in hand|brewing] and [catching up|scrolling|reading] [on|about] {story}.",
        "[Not me|Me] [staying up until|waking up at] [2am|4am|dawn] [for this|just to watch|to read the replies], [honestly|truly] {mood}.",
        "[Thread|A short thread] [below|follows], [bear with me|stick with it], I was {activity} [earlier|today] and [got thinking|went down a rabbit hole].",
        "[Replying|Responding] to [a few|some|all the] [comments|questions|DMs] [here|below] [because|since] [it's easier|I can't keep up].",
        "[Can't|Cannot] [stop|quit] [thinking about|rewatching|laughing about] {story}, [honestly|to be fair|if I'm honest].",
        "[Shout out|Big thanks|Respect] to {handle} for [the link|the screenshot|flagging this|the context].",
        "[Posting|Saving] this [here|now] [so I can find it later|for posterity|before it gets buried].",
        "My [gran|nan|neighbour|boss], a {role}, [just|only] [found out|heard] [via|from] {media} and [is|was] [thrilled|baffled|unimpressed].",
        "[Anyway|Right], [back to|off to] [work|the allotment|the school run|bed], it was {mood}.",
        "[What a|Such a] [week|day|year] [it has been|this has been] [in|around] {place}, [honestly|truly|genuinely].",
    ],
    "academic": [
        "[This|The present] [chapter|section|unit] [builds on|follows from|extends] the [material|ideas|examples] [covered|introduced] in [Chapter {num}|the previous unit|Section {num}].",
        "[Students|Readers] [should|may wish to] [compare|contrast] [this|the following] [case|example] with [those|the cases] [discussed earlier|in the exercises].",
        "[Key|Important] [terms|concepts] [appear|are printed] in bold and [are defined|are explained] in the glossary at the end of the [chapter|book].",
        "[Exercise|Activity] {num}: [summarise|outline|explain] [the main points|the argument|the sequence of events] in [no more than|under] {num} words.",
        "[As with|Like] [any|all] [case studies|examples], [the|this] [account|summary] [simplifies|compresses] [a more complicated|a longer] [story|record].",
        "[Discussion|Seminar] [question|prompt]: [what|which] [factors|evidence] [would you|should we] [weigh|consider] [most|first] [here|in this case]?",
        "[The|This] [case|example] [is|was] [chosen|included] because it [illustrates|shows] [several|a number of] [themes|points] from [the course|this module].",
        "[Revision tip|Study tip]: [make|draw] a [timeline|mind map|flashcard set] [of|for] the [main|key] [events|facts] [before|ahead of] the [exam|test].",
        "[Historians|Analysts|Researchers] [often|sometimes] [use|cite] [cases like this|this example] to [show|illustrate] how {story} [can|may] [shape|distort|reflect] public memory.",
        "A {role} [interviewed|quoted|surveyed] [for|in] [a {yr} study|an oral history project|a local survey] [described|remembered] {story} as {mood}.",
    ],
    "corporate": [
        "{org} [, founded in the 19[60|70|80|90]s,|] [works|partners] with [local|regional] [groups|schools|businesses] to [support|promote|celebrate] [community life|grassroots activity|public understanding].",
        "[Media|Press] [enquiries|contacts]: {person}, [communications officer|press office|media relations].",
        "[Images|High-resolution photographs] [are available|can be provided] [on request|to accredited media].",
        "[The|Our] [board|trustees|team] [would like to|wish to] [thank|acknowledge] [volunteers|partners|members] for {doing} [this year|throughout {yr}].",
        "[Further|More] [details|information] [will be|are] [published|announced|posted] [on our website|in the coming weeks|next month].",
        "[Membership|Subscription] [renewals|fees] [are|fall] due [at the end of|by] {month}.",
        "[Our|The] [annual|spring|autumn] [meeting|open day|fundraiser] [takes place|will be held] [on {date}|in {place}|at the {place} hall].",
        "[Please|Kindly] [note|remember] that [the office|our office|the reception desk] [will be|is] [closed|shut] [on {weekday}|over the bank holiday|for refurbishment].",
        "[If you no longer wish to receive|To stop receiving] [these updates|this newsletter|our emails], [reply|write] to [the|this] [address|sender] [above|below].",
        "[This year|Since {month}], [our|the] volunteers have [been|kept busy] {doing}, [with help from|supported by] a {role} and a {role}.",
        "[Congratulations|Warm congratulations] to {person}, [our|a long-serving] [member|volunteer], [who|and she|and he] [has just|recently] bought {thing}.",
    ],
    "letter": [
        "[I hope|I trust] [this|my letter] [finds you|reaches you] [well|in good spirits], [and|now that] [the weather has turned|the garden is finally tidy|the roof is fixed].",
        "We [finally|at last] [got|had] the [kitchen|boiler|car|roof] [fixed|repaired|seen to] [last week|this month], [which|and it] [cost|came to] [far too much|more than expected].",
        "[Give|Send] my [love|regards|best] to {first} and [the children|everyone|the dog].",
        "[Write|Drop me a line] [when you can|soon|if you get a moment], [I|we] [always|do] [enjoy|love] [hearing your news|your letters].",
        "[The|Our] [village|street|town] [has been|is] [quiet|busy|full of visitors] [lately|since {month}|this season], and {story} was {mood}.",
        "[I|We] [still|often] [think about|remember] [our|that] [trip|walk|holiday] to {place} [with great fondness|and laugh].",
        "[Anyway|Well], [enough|that's enough] [about|of] [me|my news|the garden], I have just bought {thing} and [regret nothing|already regret it].",
        "[I|We] [first|only] heard [the news|about it] [on|from] {media} while {activity}, [and|which] [I|we] [will not|shall never] forget.",
    ],
    "editor": [
        "[As a|Speaking as a] {role} [of|for] {num} years, I [feel|think|believe] {view}.",
        "Your [correspondent|columnist|reporter] [last week|on {weekday}|recently] [suggested|argued|implied] that {view}, [and I agree|but I cannot agree].",
        "[I|We] [first|only] heard [the news|about it] [on|from] {media} while {activity}, [and|which] [I|we] [will not|shall never] forget.",
        "[May I|Can I] [add|offer] a [note|word|memory] from {place}, where {story} was {mood}.",
        "[Your readers|Many of your readers] [will|may] [remember|recall] that {story} [in|around] {spot} was {mood} {when}.",
        "[I enclose|Please find enclosed] a [photograph|cutting|programme] from [that week|the time] [which|that] [readers|you] [may enjoy|might like to print].",
        "[It is|It was] [a pity|a shame|a relief] that {view}, [in my view|if I may say so].",
    ],
    "diary": [
        "[Woke|Got up] [early|late|at seven|before six] [again|as usual], [rain|sun|fog] [outside|at the window].",
        "[Made|Had] [porridge|toast|eggs] and [read|skimmed] [the paper|the news|{media}] [over breakfast|before work].",
        "[Work|The office|The shift] was [long|dull|busy|fine], spent most of it {activity}.",
        "[Called|Rang|Messaged] {first} [in the evening|after dinner|at lunch], [we|and we] [talked|chatted] about {story} for [ages|an hour|too long].",
        "[Must|Need to] [remember|not forget] to [pay|sort] the [gas bill|car insurance|council tax] [tomorrow|this week].",
        "[Bed|Lights out] [at|by] [half ten|eleven|midnight|ten|quarter to twelve], [tired|exhausted|wide awake].",
        "[Walked|Cycled] [to|into] {place} [and back|in the afternoon], [lovely|cold|muddy] out, [passed|stopped at] {spot}.",
        "[Everyone|Half the town|The whole office] [at|in] {spot} [was|seemed] [talking about|going on about] it, {mood}.",
        "[Thinking|Thought] about buying {thing} [again|today], [probably|maybe] [not|next month].",
    ],
    "minutes": [
        "[Apologies|Apologies for absence] [were received|were noted] from {person} and {person}.",
        "[The minutes|Minutes] of the [previous|last] meeting were [approved|agreed] [as a true record|without amendment|with one correction].",
        "[Under matters arising|Regarding matters arising], {person} [reported|confirmed] that [the|a] [quote|invoice|grant application] for {topic} had been [received|sent|approved].",
        "The treasurer reported that [the balance stood|funds stood|the account stood] at {money} [after|following] [recent|this quarter's] [expenses|payments].",
        "[It was agreed|The meeting agreed] that {person} would [draft|circulate|prepare] [a letter|a proposal|a summary] [before|ahead of] the next meeting.",
        "[Under any other business|Under other business], {person}, [a|our] {role}, [raised|mentioned] {topic}.",
        "[Members|The committee] [thanked|congratulated] {person} for {doing}.",
        "[The meeting closed|There being no further business, the meeting closed] at {clock}.",
        "[Date of next meeting|Next meeting]: {date} [at|in] the {place} [hall|library|pavilion].",
    ],
    "trivia": [
        "The {place} [museum|library|lido|bandstand|corn exchange|market hall] [first opened|was rebuilt|reopened] in {oldyear}.",
        "The [river|canal|old railway line] through {place} [is|runs for] [{num} miles|{num} kilometres] [long|from end to end].",
        "{person} [founded|chaired|designed] the {place} [choir|lido|market hall|rowing club] in {oldyear}.",
        "The [tallest|oldest|largest] [building|tree|bridge] in {place} [dates from|was completed in] {oldyear}.",
        "{place} [was twinned|became twinned] with {place} in {oldyear}.",
        "The {place} [cheese|pie|brass band] [festival|contest|championship] [is held|takes place] every {month}.",
        "[Around|About|Roughly] {big} people [lived|were living] in {place} [at the {oldyear} census|in {oldyear}].",
        "The [first|last] [tram|steam train|ferry] [ran|left] from {place} in {oldyear}.",
    ],
    "quiz": [
        "[Cover|Hide] the answers [and|then] [test|quiz] yourself [before|ahead of] [each|every] [session|review].",
        "[Shuffle|Mix] the cards [regularly|often] so that you [do not|don't] learn them [in order|by position].",
        "[Aim|Try] to [answer|get through] [each|every] card in [under|less than] {num} seconds.",
        "[Cards|Questions] [marked|flagged] with a star [come up|appear] [often|frequently] in [past papers|practice tests].",
        "[Compiled|Written] by {person}, a {role}, [for|with] [the {place} quiz league|a local study group|adult learners].",
    ],
}
