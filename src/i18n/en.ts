// English: every fixed word of the site, the feeds and the banner feed. A value is a string, with
// `{name}` for what is filled in, or a plural ({ one, other }, as Intl.PluralRules names the forms,
// with `{count}` for the number). Keys are grouped by where they are shown. Every other language
// is typed against this file (src/i18n/messages.ts): a key missing there does not compile.
export const en = {
  // Component statuses, as headings and badges show them; `inline` inside a sentence.
  'status.operational': 'Operational',
  'status.degraded_performance': 'Degraded performance',
  'status.partial_outage': 'Partial outage',
  'status.major_outage': 'Major outage',
  'status.under_maintenance': 'Under maintenance',

  // The page's overall status (the API keeps Statuspage's English words: src/feeds/statuspage.ts).
  'overall.operational': 'All Systems Operational',
  'overall.maintenance': 'Service Under Maintenance',
  'overall.partially_degraded': 'Partially Degraded Service',
  'overall.degraded': 'Degraded System Service',
  'overall.minor_outage': 'Minor Service Outage',
  'overall.partial_outage': 'Partial System Outage',
  'overall.major_service_outage': 'Major Service Outage',
  'overall.major_system_outage': 'Major System Outage',

  // A check's confirmed status.
  'check.up': 'up',
  'check.degraded': 'degraded',
  'check.down': 'down',
  'check.unknown': 'unknown',

  // Incident statuses and impacts.
  'incidentStatus.investigating': 'investigating',
  'incidentStatus.identified': 'identified',
  'incidentStatus.monitoring': 'monitoring',
  'incidentStatus.resolved': 'resolved',
  'impact.none': 'none',
  'impact.minor': 'minor',
  'impact.major': 'major',
  'impact.critical': 'critical',
  'impact.label': '{impact} impact',

  // Maintenance states (by the clock) and the statuses an update may give.
  'maintenanceState.upcoming': 'upcoming',
  'maintenanceState.in_progress': 'in progress',
  'maintenanceState.overrunning': 'overrunning',
  'maintenanceState.completed': 'completed',
  'maintenanceState.cancelled': 'cancelled',
  'maintenanceUpdate.scheduled': 'scheduled',
  'maintenanceUpdate.in_progress': 'in progress',
  'maintenanceUpdate.verifying': 'verifying',
  'maintenanceUpdate.completed': 'completed',

  // Numbers.
  'number.noData': 'no data',
  'number.measured': '{percent} measured',
  'number.underOnePercentMeasured': 'under 1% measured',
  'number.ms': '{value} ms',
  'number.s': '{value} s',

  // Every page: the head, the footer, the local-time script.
  'layout.feedTitle': '{site}: incidents and maintenance',
  'layout.history': 'History',
  'layout.incidents': 'Incidents',
  'layout.maintenance': 'Maintenance',
  'layout.howUptime': 'How uptime is computed',
  'layout.follow': 'Follow:',
  'layout.subscribe': 'Subscribe',
  'layout.rss': 'RSS',
  'layout.calendar': 'Maintenance calendar',
  'layout.api': 'Status API (Statuspage v2)',
  'layout.bannerFeed': 'Banner feed for apps',
  'layout.badge': 'Badge',
  'layout.updated': 'Updated',
  'layout.yourTime': 'your time: {time}',

  // Words shared by several pages.
  'common.to': 'to',
  'common.affected': 'Affected:',
  'common.stillWorking': 'Still working: {text}',
  'common.updates': 'Updates',
  'common.signInBlocked': 'Sign-in is blocked.',
  'common.signInBlockedWindow': 'Sign-in is blocked during the window.',
  'common.mustUpdate': 'Clients older than {version} must update.',
  'common.today': 'Today',
  'common.daysAgo': { one: '{count} day ago', other: '{count} days ago' },
  'common.days': { one: '{count} day', other: '{count} days' },

  // The home page.
  'home.openIncidents': 'Open incidents',
  'home.scheduledMaintenance': 'Scheduled maintenance',
  'home.decidedByChecks': 'measured by its checks',
  'home.decidedByNone': 'no data yet',
  'home.decidedByIncident': 'set by incident',
  'home.decidedByMaintenance': 'set by maintenance',
  'home.uptimeOver90': '{percent} uptime over 90 days ({measured})',

  // The uptime strip: one bar a day.
  'bars.label': '{name}: uptime, day by day, for 90 days',
  'bars.dayNoData': '{date}: no data',
  'bars.dayUptime': '{date}: {percent} uptime',
  'bars.majorMinutes': '{minutes} min major outage',
  'bars.partialMinutes': '{minutes} min partial outage',
  'bars.degradedMinutes': '{minutes} min degraded',
  'bars.maintenanceMinutes': '{minutes} min maintenance',
  'bars.dayMeasured': '{percent} of the day measured',

  // A component's page.
  'component.uptime': 'Uptime',
  'component.hours24': '24 hours',
  'component.days7': '7 days',
  'component.days30': '30 days',
  'component.days90': '90 days',
  'component.checks': 'Checks',
  'component.responseTime': 'Response time',
  'component.responseTimeNote': "Median and 95th percentile of each check's measured latency, by UTC day.",
  'component.incidents': 'Incidents',

  // The latency chart.
  'latency.noneMeasured': '{date}: no latency measured',
  'latency.day': '{date}: median {p50}, 95th percentile {p95}',
  'latency.noneInSpan': 'no latency measured in {span}',
  'latency.summary': '{newest}; highest 95th percentile in {span}: {worst} on {date}',
  'latency.chartLabel': '{name}, response time by UTC day: {summary}',
  'latency.daysAgo': '{days} days ago (UTC days)',
  'latency.top': 'top: {value}',

  // An incident's page and the list.
  'incident.impact': 'Impact:',
  'incident.began': 'Began',
  'incident.resolved': 'resolved',
  'incident.postmortem': 'Postmortem',
  'incident.published': 'Published',
  'incident.actionItems': 'Action items',
  'incident.due': 'due',
  'incident.done': '(done)',
  'incidents.title': 'Incidents',

  // An incident's chart of measured impact (src/components/IncidentChart.astro).
  'chart.heading': 'Measured impact',
  'chart.intro': 'What the checks measured from {from} to {to} ({zone}); the shaded band is the incident. Bars: the slowest answer in each interval, coloured by the status confirmed then; grey: no data.',
  'chart.minutes': '{status} {minutes} min',
  'chart.duringIncident': '{parts} during the incident',
  'chart.slowest': 'slowest answer {value}',
  'chart.noLatency': 'no latency measured',

  // A maintenance page and the list.
  'maintenance.state': 'State:',
  'maintenance.window': 'Window:',
  'maintenance.utc': 'UTC:',
  'maintenances.title': 'Maintenance',

  // The history archive.
  'history.title': 'History',
  'history.monthTitle': 'History: {month}',
  'history.empty': 'Nothing has happened yet.',
  'history.entries': { one: '{count} entry', other: '{count} entries' },
  'history.otherMonths': 'Other months',
  'history.newer': 'Newer: {month}',
  'history.older': 'Older: {month}',
  'history.maintenanceLabel': 'maintenance, {state}',

  // The 404 page.
  'notFound.title': 'Page not found',
  'notFound.text': 'This page does not exist.',
  'notFound.home': 'Current status',

  // A heading's self-link in rendered Markdown (posts and the uptime page), for screen readers.
  'markdown.anchorLabel': 'Link to this section: {heading}',

  // The uptime page's title (its text is docs/uptime.md, or docs/uptime.<language>.md).
  'uptime.title': 'How uptime is computed',

  // RSS (and the subscriber mails made from its items).
  'rss.componentDescription': 'Incidents and maintenance affecting {component}.',
  'rss.update': '{title}: {status}',
  'rss.maintenanceUpdate': 'update',
  'rss.postmortem': 'Postmortem: {title}',
  'rss.scheduled': 'Scheduled maintenance: {title}',
  'rss.window': 'From {span}.',
  'rss.span': '{start} to {end}',
  'rss.cancelled': 'Cancelled: {title}',
  'rss.backOn': 'Back on: {title}',
  'rss.rescheduled': 'Rescheduled: {title}',
  'rss.cancelledText': 'The maintenance planned from {span} is cancelled.',
  'rss.backOnText': 'The maintenance is planned again, from {span}.',
  'rss.movedText': 'It was planned from {from}; it is now from {to}.',

  // The maintenance calendars.
  'ics.siteCalendar': '{site}: maintenance',
  'ics.componentCalendar': '{site}: {component} maintenance',

  // The badges.
  'badge.label': 'status',
  'badge.operational': 'operational',
  'badge.degraded_performance': 'degraded',
  'badge.partial_outage': 'partial outage',
  'badge.major_outage': 'major outage',
  'badge.under_maintenance': 'maintenance',
  'badge.uptime30': '{percent} 30d',

  // Email sign-up, as `statuspost serve` answers it on the subscribe page (src/serve/subscribe.ts).
  'signup.heading': 'Email',
  'signup.pageTitle': 'Subscribe · {site}',
  'signup.pageHeading': 'Subscribe to {site}',
  'signup.intro': 'Get an email for every incident update, postmortem and maintenance change. You confirm the address first, and every mail has a one-click unsubscribe link.',
  'signup.address': 'Email address',
  'signup.components': 'Components (tick none to hear about all of them)',
  'signup.submit': 'Subscribe',
  'signup.tooBig': 'The form sent more than this page accepts.',
  'signup.tooSlow': 'The form took too long to arrive.',
  'signup.crossSite': 'This form can only be sent from this site.',
  'signup.notForm': 'The form must be sent as a plain form (application/x-www-form-urlencoded).',
  'signup.badAddress': 'Enter an email address such as name@example.org.',
  'signup.badComponents': 'Choose components from the list.',
  'signup.tooMany': 'Too many sign-ups from here or for this address. Try again in {wait}.',
  'signup.minutes': { one: '{count} minute', other: '{count} minutes' },
  'signup.seconds': { one: '{count} second', other: '{count} seconds' },
  'signup.mailFailed': 'The mail could not be sent just now. Please try again in a few minutes.',
  'signup.checkInbox': 'Check your inbox',
  'signup.sent': 'If {address} can receive mail, a message is on its way. Open the link in it to confirm; nothing else is sent until then.',
  'signup.gone': 'This subscription no longer exists.',
  'signup.expired': 'This confirmation link has expired.',
  'signup.invalid': 'This confirmation link is not valid.',
  'signup.again': '{why} Subscribe again to get a new one.',
  'signup.confirmQuestion': 'Confirm that {address} gets email from this site?',
  'signup.confirm': 'Confirm',
  'signup.subscribed': 'Subscribed',
  'signup.scopeAll': 'every incident and maintenance',
  'signup.scopeSome': 'incidents and maintenance affecting {components}',
  'signup.willGet': 'You will get an email about {scope}. Every mail has a link to unsubscribe.',
  'signup.badUnsubscribe': 'This unsubscribe link is not valid. Use the link in the latest mail you received.',
  'signup.stopQuestion': 'Stop getting email from this site?',
  'signup.unsubscribe': 'Unsubscribe',
  'signup.unsubscribed': 'Unsubscribed',
  'signup.unsubscribedText': 'This address gets no more email from this site. You can subscribe again at any time.',

  // The sign-up mails (src/notify/subscribers/mails.ts).
  'mail.unsubscribeFooter': 'Unsubscribe with one click: {url}',
  'mail.confirmAsked': 'Someone, probably you, asked to get email from {site} about {scope}.',
  'mail.confirmBefore': 'To confirm, open this link before {time}:',
  'mail.notYou': 'If it was not you, ignore this mail: nothing is sent to this address unless the link is opened.',
  'mail.confirmSubject': 'Confirm your subscription to {site}',
  'mail.alreadyText': 'Someone, probably you, asked to subscribe this address to {site}. It is subscribed already, and nothing was changed.',
  'mail.noLonger': 'If you no longer want these mails, use the link below.',
  'mail.alreadySubject': 'You are subscribed to {site}',

  // The line `statuspost demo` shows on every page.
  'demo.notice':
    "Demo data: a simulated chat cluster on loopback. Days before {day} are a simulation that replays the example incidents' outages; later days are real probes of the simulated cluster.",
} as const satisfies Record<string, string | { readonly one: string; readonly other: string }>;
