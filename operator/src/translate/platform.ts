// runtimePlatform → node selection: cpuArchitecture → kubernetes.io/arch (X86_64 → amd64, ARM64 → arm64);
// operatingSystemFamily → kubernetes.io/os and the pod's os (LINUX → linux, WINDOWS_SERVER_* → windows),
// and for a known Windows Server release its build, node.kubernetes.io/windows-build.
import type { V1PodSpec } from '@kubernetes/client-node';
import type { RuntimePlatform } from '../api/taskdefinition.js';

const ARCHITECTURES: Record<string, string> = { X86_64: 'amd64', ARM64: 'arm64' };

const WINDOWS_BUILDS: Record<string, string> = {
  '2016': '10.0.14393', '2019': '10.0.17763', '2004': '10.0.19041', '20H2': '10.0.19042', '2022': '10.0.20348', '2025': '10.0.26100',
};

function operatingSystem(family: string): { os: string; build?: string } {
  const release = /^WINDOWS_SERVER_([0-9A-Z]+)_/.exec(family)?.[1];
  if (!family.startsWith('WINDOWS_SERVER_')) return { os: 'linux' };
  const build = release === undefined ? undefined : WINDOWS_BUILDS[release];
  return { os: 'windows', ...(build ? { build } : {}) };
}

export function runtimePlatformToNodeSelection(platform: RuntimePlatform | undefined): Pick<V1PodSpec, 'nodeSelector' | 'os'> {
  const nodeSelector: Record<string, string> = {};
  const arch = platform?.cpuArchitecture === undefined ? undefined : ARCHITECTURES[platform.cpuArchitecture];
  if (arch) nodeSelector['kubernetes.io/arch'] = arch;
  const system = platform?.operatingSystemFamily === undefined ? undefined : operatingSystem(platform.operatingSystemFamily);
  if (system) nodeSelector['kubernetes.io/os'] = system.os;
  if (system?.build) nodeSelector['node.kubernetes.io/windows-build'] = system.build;
  return {
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(system ? { os: { name: system.os } } : {}),
  };
}
