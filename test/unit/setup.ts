import 'fake-indexeddb/auto';
import '../shared/warnings';
