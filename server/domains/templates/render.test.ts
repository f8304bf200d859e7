import { describe, expect, it } from 'vitest';
import { exampleValues, graphTemplateMessage, renderTemplate, valueProblems } from './render.ts';
import { graphTemplateBody, templateDraftSchema } from './schemas.ts';

const channelId = '01900000-0000-7000-8000-000000000001';

describe('a draft becomes the body Meta reviews', () => {
  it('named variables: parameter_format NAMED, examples by name, header example, every button kind', () => {
    const draft = templateDraftSchema.parse({
      channelId,
      name: 'welcome_back',
      language: 'de',
      category: 'MARKETING',
      header: { format: 'text', text: 'Hallo {{first_name}}', example: 'Maya' },
      body: 'Schön, dass du da bist, {{first_name}}. Dein Code: {{code}}, viel Spaß!',
      examples: { first_name: 'Maya', code: 'WB10' },
      buttons: [
        { type: 'COPY_CODE', example: 'WB10' },
        { type: 'URL', text: 'Shop', url: 'https://shop.example/{{1}}', example: 'https://shop.example/de' },
        { type: 'PHONE_NUMBER', text: 'Anrufen', phoneNumber: '+49301234567' },
        { type: 'FLOW', text: 'Termin', flowId: '1234567890' },
      ],
    });
    expect(graphTemplateBody(draft)).toEqual({
      name: 'welcome_back',
      language: 'de',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'HEADER',
          format: 'TEXT',
          text: 'Hallo {{first_name}}',
          example: { header_text_named_params: [{ param_name: 'first_name', example: 'Maya' }] },
        },
        {
          type: 'BODY',
          text: 'Schön, dass du da bist, {{first_name}}. Dein Code: {{code}}, viel Spaß!',
          example: {
            body_text_named_params: [
              { param_name: 'first_name', example: 'Maya' },
              { param_name: 'code', example: 'WB10' },
            ],
          },
        },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'COPY_CODE', example: 'WB10' },
            {
              type: 'URL',
              text: 'Shop',
              url: 'https://shop.example/{{1}}',
              example: ['https://shop.example/de'],
            },
            { type: 'PHONE_NUMBER', text: 'Anrufen', phone_number: '+49301234567' },
            { type: 'FLOW', text: 'Termin', flow_id: '1234567890' },
          ],
        },
      ],
    });
  });

  it('a media header carries its sample as header_handle', () => {
    const draft = templateDraftSchema.parse({
      channelId,
      name: 'new_collection',
      language: 'en_US',
      category: 'MARKETING',
      header: { format: 'image', example: 'https://cdn.example/jacket.jpg' },
      body: 'Our winter jackets are here.',
    });
    expect(graphTemplateBody(draft).components[0]).toEqual({
      type: 'HEADER',
      format: 'IMAGE',
      example: { header_handle: ['https://cdn.example/jacket.jpg'] },
    });
  });
});

describe('a stored template, filled in', () => {
  const components = [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://cdn.example/a.jpg'] } },
    {
      type: 'BODY',
      text: 'Hi {{1}}, {{2}} is back in stock.',
      example: { body_text: [['Maya', 'the blue jacket']] },
    },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reserve' }] },
  ];

  it('previews with its own examples, and renders what the customer sees', () => {
    expect(renderTemplate(components, exampleValues(components))).toEqual({
      header: { format: 'IMAGE', link: 'https://cdn.example/a.jpg' },
      body: 'Hi Maya, the blue jacket is back in stock.',
      buttons: [{ type: 'QUICK_REPLY', text: 'Reserve' }],
    });
    expect(renderTemplate(components).body).toBe('Hi {{1}}, {{2}} is back in stock.');
  });

  it('asks for what is missing, and builds positional parameters with the media header', () => {
    expect(valueProblems(components, { body: { '1': 'Ola' } })).toEqual([
      'Fill in {{2}}.',
      'Give the image for the header (an https address).',
    ]);
    const values = {
      body: { '1': 'Ola', '2': 'the red scarf' },
      header: { link: 'https://cdn.example/b.jpg' },
    };
    expect(valueProblems(components, values)).toEqual([]);
    expect(graphTemplateMessage({ name: 'back_in_stock', language: 'en_US', components }, values)).toEqual({
      name: 'back_in_stock',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/b.jpg' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ola' },
            { type: 'text', text: 'the red scarf' },
          ],
        },
      ],
    });
  });
});
