export {
  CONSOLE_PATH,
  hashConsolePassword,
  participantConsole,
  type ParticipantConsoleOptions,
} from './router.js';
