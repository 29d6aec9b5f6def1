export const en = {
  app: { title: 'Bosun', subtitle: 'Local Kubernetes lab', language: 'Language' },
  connection: {
    title: 'Connection',
    apiUrl: 'API URL',
    version: 'Kubernetes version',
    state: 'State',
    states: {
      connecting: 'Connecting…',
      connected: 'Connected',
      noToken: 'No token',
      unauthorized: 'Token refused',
      error: 'Error',
    },
    noTokenHelp: 'This page needs the lab’s access token. Open the Dashboard link printed by `bosun serve`.',
    unauthorizedHelp: 'The API refused this token (the lab may have a new one). Open the Dashboard link printed by `bosun serve`.',
    retry: 'Retry',
  },
  namespaces: {
    title: 'Namespaces',
    name: 'Name',
    status: 'Status',
    age: 'Age',
    empty: 'No namespaces',
  },
};

export type MessageSchema = typeof en;
