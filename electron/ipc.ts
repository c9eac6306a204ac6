// The IPC channel names shared by the Electron main process and the preload.
export const CHANNEL = {
  call: 'edw:call',
  progress: 'edw:progress',
  cancel: 'edw:cancel',
} as const;
