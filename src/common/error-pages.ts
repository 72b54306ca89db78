// What a person sees for each status: a plain title and what to do next.
const PAGES: Record<number, { title: string; message: string }> = {
  400: { title: 'That request could not be understood', message: 'Check what you entered and try again.' },
  401: { title: 'Please sign in', message: 'Sign in to continue.' },
  403: {
    title: 'You do not have access to this page',
    message: 'Ask an administrator of your organisation if you need it.',
  },
  404: { title: 'Page not found', message: 'The page you asked for does not exist, or it has moved.' },
  405: { title: 'That action is not allowed here', message: 'Go back and use the page’s buttons instead.' },
  409: { title: 'That changed in the meantime', message: 'Reload the page and try again.' },
  413: { title: 'What you sent is too large', message: 'Shorten the text and try again.' },
  415: { title: 'That kind of form cannot be read', message: 'Send the form from the page itself.' },
  422: { title: 'Some fields need attention', message: 'Correct the fields below and try again.' },
  429: { title: 'Too many attempts', message: 'Wait a few minutes, then try again.' },
  500: { title: 'Something went wrong on our side', message: 'It has been logged. Try again in a moment.' },
  503: { title: 'The service is unavailable', message: 'Try again in a moment.' },
};

export function errorPage(status: number): { title: string; message: string } {
  return PAGES[status] ?? (status >= 500 ? PAGES[500] : PAGES[400]);
}

export const CSRF_REFUSED_MESSAGE =
  'This form has expired or was not sent from this site. Go back, reload the page and try again.';
