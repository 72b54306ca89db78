import { actionName, actionOptions, inWords } from './audit-actions';

describe('actionName', () => {
  it('should name a known action in its words, and any other one by its code in words', () => {
    expect(actionName('attestation.finalize_requested')).toBe('Finalize asked for');
    expect(actionName('gadget.polished_twice')).toBe('Gadget polished twice');
    expect(inWords('report_schedule')).toBe('Report schedule');
  });
});

describe('actionOptions', () => {
  const values = (selected: string) =>
    actionOptions(selected).groups.flatMap((group) => group.options.map((option) => option.value));

  it('should offer each family and each action once, and mark the chosen one', () => {
    const all = values('');
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(['user', 'user.created', 'attestation', 'attestation.cancelled']));
    const chosen = actionOptions('user.created').groups.flatMap((group) => group.options.filter((o) => o.selected));
    expect(chosen).toEqual([{ value: 'user.created', label: 'User created', selected: true }]);
  });

  it('should keep a chosen action the list does not name as a choice of its own', () => {
    const { groups } = actionOptions('gadget.made');
    expect(groups.at(-1)).toEqual({
      label: 'Other',
      options: [{ value: 'gadget.made', label: 'Gadget made', selected: true }],
    });
    expect(actionOptions('user').groups.some((group) => group.label === 'Other')).toBe(false);
  });
});
