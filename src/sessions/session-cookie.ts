// The session cookie's name, shared by the session middleware and sign-out (which clears it in the browser).
export const SESSION_COOKIE = 'mca.sid';
