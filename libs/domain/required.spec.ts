import { elementAt, entryOf, required } from './required.js';

test('required passes a value through and names what is missing', () => {
  expect(required(0, 'zero')).toBe(0);
  expect(required('', 'empty')).toBe('');
  expect(() => required(undefined, 'the line')).toThrow('the line is missing');
  expect(() => required(null, 'the meta')).toThrow('the meta is missing');
});

test('elementAt reads inside the array and refuses outside it', () => {
  expect(elementAt([1, 2, 3], 2, 'numbers')).toBe(3);
  expect(() => elementAt([1, 2, 3], 3, 'numbers')).toThrow(RangeError);
  expect(() => elementAt([1, 2, 3], -1, 'numbers')).toThrow('numbers: no element at index -1 (length 3)');
});

test('entryOf reads a Map entry and names a missing key', () => {
  const m = new Map([['a', 1]]);
  expect(entryOf(m, 'a', 'slot')).toBe(1);
  expect(() => entryOf(m, 'b', 'slot')).toThrow('slot: no entry for b');
});
