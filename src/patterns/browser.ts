import { definePattern } from './types.js';

/** One self-contained HTML page: the user's key stays in their browser. */
export const browser = definePattern({
  id: 'browser',
  situation: 'A pure front-end tool with no server',
  hint: 'the key stays in the user’s browser; anything that runs script on the page can read it',
  options: [
    {
      key: 'storage',
      flag: 'storage',
      argument: 'memory|session|encrypted',
      message: 'Where should the page keep the key?',
      summary: 'Key storage',
      choices: [
        { value: 'memory', label: 'Memory only', hint: 'gone on reload: the safest' },
        { value: 'session', label: 'Session storage', hint: 'survives reloads, gone when the tab closes' },
        {
          value: 'encrypted',
          label: 'Encrypted in local storage',
          hint: 'AES-GCM with a passphrase asked once per session',
        },
      ],
      default: 'memory',
    },
  ],
  folderIsSlug: false,
  describeNames: (names) => `page title "${names.name}"`,
  warnings: () => [],
  nextSteps: ({ cd }) => [
    ...cd,
    'Open index.html in a browser (file:// works), or serve the folder from any static host',
    'Read README.md: what the page protects against, and what it cannot',
  ],
  templateContext: (shared) => ({
    /** True when some chosen provider's key check does not list models, so the page makes a second call. */
    separateModelList: shared.providers.some((provider) => !provider.models.sameAsKeyCheck),
  }),
});
