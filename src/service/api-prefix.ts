/** The API's version prefix: a change that breaks scripts gets /api/v2 beside it. Its own module, so a process that prints it need not load the API. */
export const API_PREFIX = '/api/v1';
