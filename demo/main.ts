import { cache } from '../src/index.ts';

const square = cache((n: number) => n * n);
void square(12).then((value) => {
  document.querySelector('#app')?.insertAdjacentHTML('beforeend', `<p>cache(square)(12) = ${value}</p>`);
});
