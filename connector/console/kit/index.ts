export { escapeHtml, html, Html, trusted, type Part } from './html.js';
export { languageOf, preferredLanguage, translator, type Lang, type Phrase, type Translate } from './i18n.js';
export { ConsoleSessions, cookieValue } from './sessions.js';
export { SignInThrottle, type ThrottleSettings } from './throttle.js';
export {
  createConsoleKit,
  csrfField,
  throttledSignIn,
  timeTag,
  zonedTimeTag,
  CSRF_COOKIE,
  SESSION_COOKIE,
  type ConsoleContext,
  type ConsoleKit,
  type NavItem,
  type PageOptions,
  type SignInOutcome,
} from './console.js';
export {
  localised,
  codeOptions,
  offerSummary,
  summariseFor,
  summaryOptions,
  termLabel,
} from './offer-summary.js';
export { stateLabel, stateName } from './states.js';
export { explanationText, problemText, reasonText } from './reasons.js';
