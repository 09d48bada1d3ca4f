// runtimePlatform → node selection: cpuArchitecture → kubernetes.io/arch (X86_64 → amd64, ARM64 → arm64);
// operatingSystemFamily → kubernetes.io/os and the pod's os (LINUX → linux, WINDOWS_SERVER_* → windows),
// and for a known Windows Server release its build, node.kubernetes.io/windows-build. EC2 Windows task
// definitions often leave runtimePlatform out; one that mounts Windows paths (a named pipe `\\.\pipe\...`,
// a drive `C:\...`) runs on Windows nodes all the same. Otherwise no operating system is required, as before.
import type { V1PodSpec } from '@kubernetes/client-node';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';

const ARCHITECTURES: Record<string, string> = { X86_64: 'amd64', ARM64: 'arm64' };

const WINDOWS_BUILDS: Record<string, string> = {
  '2016': '10.0.14393',
  '2019': '10.0.17763',
  '2004': '10.0.19041',
  '20H2': '10.0.19042',
  '2022': '10.0.20348',
  '2025': '10.0.26100',
};

interface OperatingSystem {
  os: string;
  build?: string;
}

function operatingSystem(family: string): OperatingSystem {
  const release = /^WINDOWS_SERVER_([0-9A-Z]+)_/.exec(family)?.[1];
  if (!family.startsWith('WINDOWS_SERVER_')) return { os: 'linux' };
  const build = release === undefined ? undefined : WINDOWS_BUILDS[release];
  return { os: 'windows', ...(build ? { build } : {}) };
}

/** A named pipe (`\\.\pipe\docker_engine`) or a path on a drive (`C:\data`). */
const WINDOWS_PATH = /^(?:\\\\\.\\pipe\\|[A-Za-z]:\\)/;

function mountsWindowsPaths(spec: TaskDefinitionSpec): boolean {
  const hostPaths = (spec.volumes ?? []).map((volume) => volume.host?.sourcePath);
  const containerPaths = spec.containerDefinitions.flatMap((definition) => (definition.mountPoints ?? []).map((mount) => mount.containerPath));
  return [...hostPaths, ...containerPaths].some((path) => path !== undefined && WINDOWS_PATH.test(path));
}

export function runtimePlatformToNodeSelection(spec: TaskDefinitionSpec): Pick<V1PodSpec, 'nodeSelector' | 'os'> {
  const platform = spec.runtimePlatform;
  const nodeSelector: Record<string, string> = {};
  const arch = platform?.cpuArchitecture === undefined ? undefined : ARCHITECTURES[platform.cpuArchitecture];
  if (arch) nodeSelector['kubernetes.io/arch'] = arch;
  const declared = platform?.operatingSystemFamily;
  const system: OperatingSystem | undefined = declared !== undefined ? operatingSystem(declared) : mountsWindowsPaths(spec) ? { os: 'windows' } : undefined;
  if (system) nodeSelector['kubernetes.io/os'] = system.os;
  if (system?.build) nodeSelector['node.kubernetes.io/windows-build'] = system.build;
  return {
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(system ? { os: { name: system.os } } : {}),
  };
}
