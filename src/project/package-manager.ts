export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** The package manager that launched us (`npm create`, `pnpm create`, ...), from `npm_config_user_agent`. */
export function packageManagerFromUserAgent(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return name === 'pnpm' || name === 'yarn' || name === 'bun' ? name : 'npm';
}

export function installCommand(pm: PackageManager): string {
  return pm === 'yarn' ? 'yarn' : `${pm} install`;
}

export function runCommand(pm: PackageManager, script: string): string {
  return pm === 'npm' ? (script === 'start' || script === 'test' ? `npm ${script}` : `npm run ${script}`) : `${pm} ${script}`;
}
