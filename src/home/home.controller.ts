import { Controller, Get, Render } from '@nestjs/common';

// The CSP Direct overview: where the navigation path starts.
@Controller()
export class HomeController {
  @Get()
  @Render('home/index')
  overview() {
    return { title: 'Overview' };
  }
}
