// Which of the connector's own steps run by themselves and which wait for the operator (connector.json
// `automation`, `--automation`). Every DSP message the connector would send without a management call
// belongs to exactly one step, so `"none"` means: nothing leaves unless the operator asks for it.

export const AUTOMATION_STEPS = [
  'agree',
  'refuse',
  'agreeAccepted',
  'finalize',
  'verify',
  'startTransfer',
  'refuseTransfer',
  'completePush',
] as const;
export type AutomationStep = (typeof AUTOMATION_STEPS)[number];

export type StepMode = 'auto' | 'manual';

/** Per step; a step not listed is automatic. */
export type AutomationSettings = 'auto' | 'none' | Partial<Record<AutomationStep, StepMode>>;

/** The resolved settings: every step's mode. */
export type AutomationModes = Readonly<Record<AutomationStep, StepMode>>;

/** What each step sends, for documentation and error messages. */
export const AUTOMATION_STEP_DESCRIPTIONS: Readonly<Record<AutomationStep, string>> = {
  agree: 'provider: agree to a request on an automatically approved offer that its policy permits',
  refuse: 'provider: terminate a request on an automatically approved offer that its policy refuses',
  agreeAccepted: 'provider: agree once the consumer accepted our offer',
  finalize: 'provider: finalize a verified agreement',
  verify: 'consumer: verify a received agreement',
  startTransfer: 'provider: start a requested transfer that its agreement permits',
  refuseTransfer:
    'provider: terminate a transfer its agreement does not permit (requested, or resumed by the consumer)',
  completePush:
    'provider: complete a push transfer once its data was pushed (terminate it if the push failed)',
};

export class AutomationConfigError extends Error {
  readonly code = 'ERR_CONFIG';
}

const MODES: readonly StepMode[] = ['auto', 'manual'];

/**
 * Reads `automation` as configured (`where` names it in errors, e.g. "connector.json automation"):
 * "auto" (the default), "none", or an object of steps → "auto" | "manual".
 */
export function resolveAutomation(value: unknown, where = 'automation'): AutomationModes {
  const all = (mode: StepMode): AutomationModes =>
    Object.fromEntries(AUTOMATION_STEPS.map((step) => [step, mode])) as AutomationModes;
  if (value === undefined || value === 'auto') return all('auto');
  if (value === 'none') return all('manual');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AutomationConfigError(
      `${where} must be "auto", "none" or an object of steps ({"finalize": "manual", ...}), not ${JSON.stringify(value)}`,
    );
  }
  const resolved: Record<AutomationStep, StepMode> = { ...all('auto') };
  for (const [key, mode] of Object.entries(value)) {
    if (!isStep(key)) {
      throw new AutomationConfigError(
        `${where}.${key} is not an automation step; the steps are ${AUTOMATION_STEPS.join(', ')}`,
      );
    }
    if (!MODES.includes(mode as StepMode)) {
      throw new AutomationConfigError(
        `${where}.${key} must be "auto" or "manual", not ${JSON.stringify(mode)}`,
      );
    }
    resolved[key] = mode as StepMode;
  }
  return resolved;
}

/** `--automation auto | none | step=mode,step=mode` as settings (checked by resolveAutomation). */
export function parseAutomationFlag(text: string): AutomationSettings {
  const trimmed = text.trim();
  if (trimmed === 'auto' || trimmed === 'none') return trimmed;
  const settings: Record<string, string> = {};
  for (const part of trimmed.split(',')) {
    const [step, mode, ...rest] = part.split('=').map((s) => s.trim());
    if (!step || mode === undefined || rest.length > 0) {
      throw new AutomationConfigError(
        `--automation takes auto, none or step=mode,... (e.g. finalize=manual,startTransfer=manual), not "${text}"`,
      );
    }
    settings[step] = mode;
  }
  resolveAutomation(settings, '--automation');
  return settings as AutomationSettings;
}

function isStep(key: string): key is AutomationStep {
  return (AUTOMATION_STEPS as readonly string[]).includes(key);
}
