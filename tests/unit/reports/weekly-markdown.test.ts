import 'reflect-metadata';
import { languageFromAcceptLanguage } from '../../../src/modules/reports/weekly-markdown';
import { ReportLanguage } from '../../../src/modules/reports/weekly-report.types';

describe('languageFromAcceptLanguage', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', ReportLanguage.ZH],
    ['en-US,en;q=0.9,zh-CN;q=0.8', ReportLanguage.EN],
    ['zh-Hant-TW', ReportLanguage.ZH],
    ['fr-FR, en;q=0.5', ReportLanguage.EN],
    ['en;q=0.4, zh;q=0.6', ReportLanguage.ZH],
    ['zh;q=0, en', ReportLanguage.EN],
    ['EN', ReportLanguage.EN],
    ['fr, de', ReportLanguage.ZH],
    ['*', ReportLanguage.ZH],
    ['', ReportLanguage.ZH],
  ])('%j → %s', (header, expected) => {
    expect(languageFromAcceptLanguage(header)).toBe(expected);
  });

  it('falls back to the given language without a header or a known tag', () => {
    expect(languageFromAcceptLanguage(null, ReportLanguage.EN)).toBe(ReportLanguage.EN);
    expect(languageFromAcceptLanguage('ja', ReportLanguage.EN)).toBe(ReportLanguage.EN);
  });
});
