/** Entry point of the dashboard bundle (scripts/build-web.js). */
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('root')!);
