// A test that needs a service it cannot find fails under CI=true and is skipped elsewhere, with the reason printed.

export async function requireService(name: string, ping: () => Promise<unknown>): Promise<boolean> {
  try {
    await ping();
    return true;
  } catch (error) {
    const reason = `${name} is not reachable (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI must provide it`);
    console.warn(`skipping ${name} tests: ${reason}`);
    return false;
  }
}

/** A program the tests start (redis-server, dnsmasq, openssl): same rule as a service. */
export async function requireProgram(name: string): Promise<string | undefined> {
  const { execFile } = await import('node:child_process');
  const path = await new Promise<string | undefined>((resolve) => {
    execFile('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], (error, stdout) => {
      const found = stdout.trim().split('\n')[0];
      resolve(error || !found ? undefined : found);
    });
  });
  if (path) return path;
  const reason = `${name} is not installed`;
  if (process.env.CI === 'true') throw new Error(`${reason}; .ci/run must install it`);
  console.warn(`skipping tests that need ${name}: ${reason}`);
  return undefined;
}
