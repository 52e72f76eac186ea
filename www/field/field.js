// The field's entry point: loads the WebAssembly, whose start function mounts the form into
// #cardvault-field with the key and parent origin from the query and the options from the fragment.
import init from './cardvault.js';

init().catch((error) => console.error('cardvault: the field did not start', error));
