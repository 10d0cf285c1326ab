// 中文文本（续）：数据产品登记页、还价表单、谈判时间线等页面新增的文本。与 zh.ts 同一格式，由 zh.ts 合并。
export const ZH_TASKS = {
  'The counter-offer is not a valid policy: nothing was sent.': '还价不是有效的策略：未发送任何内容。',
  'The current terms with the changes filled in below; the policy is checked before it is sent.':
    '以当前条款为基础，应用下方填写的修改；发送前先检查策略。',
  'Advanced: the terms as ODRL JSON': '高级：以 ODRL JSON 编辑条款',
  // data products
  'Applied: product application {id} is {state}.': '已申请：产品登记申请 {id} 的状态为 {state}。',
  'Apply for registration': '申请登记',
  Apply: '提交申请',
  'Assessed on': '评估日期',
  Assessor: '评估机构',
  Chinese: '中文',
  English: '英文',
  'Compliance assessment: summary': '合规评估：摘要',
  Credential: '凭证',
  'Datasets of the product': '产品包含的数据集',
  Name: '名称',
  'None yet.': '暂无。',
  Note: '备注',
  'Our applications and registrations': '我方的申请与登记',
  'Product name': '产品名称',
  'Publish a dataset first: a product is made of our own datasets.':
    '请先发布数据集：数据产品由我方自己的数据集组成。',
  'Register a product made of our datasets with the data space authority.':
    '向数据空间管理机构登记由我方数据集组成的数据产品。',
  'Scope: population, region, period': '适用范围：人群、地区、时段',
  'The authority could not be reached:': '无法连接管理机构：',
  'Update frequency': '更新频率',
} as const;
